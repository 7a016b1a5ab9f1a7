"""Counts what a porteur does in a browser: fields changed, clicks, page loads (kept in the tab's
sessionStorage across page loads). Used by the filing test to print the closing figures of issue 9."""

INIT_SCRIPT = """
(() => {
  const cle = "mesure-depot";
  if (sessionStorage.getItem(cle + "-actif") !== "1") { return; }
  const lire = () => JSON.parse(sessionStorage.getItem(cle) || '{"champs":0,"clics":0,"pages":0}');
  const ecrire = (m) => sessionStorage.setItem(cle, JSON.stringify(m));
  const m = lire(); m.pages += 1; ecrire(m);
  document.addEventListener("change", (e) => {
    if (e.isTrusted) { const m = lire(); m.champs += 1; ecrire(m); }
  }, true);
  document.addEventListener("click", (e) => {
    if (e.isTrusted && e.target.tagName !== "INPUT") { const m = lire(); m.clics += 1; ecrire(m); }
  }, true);
})();
"""


def demarrer(page) -> None:
    page.evaluate("sessionStorage.setItem('mesure-depot-actif', '1'); sessionStorage.removeItem('mesure-depot')")


def lire(page) -> dict:
    return page.evaluate("JSON.parse(sessionStorage.getItem('mesure-depot') || '{}')")
