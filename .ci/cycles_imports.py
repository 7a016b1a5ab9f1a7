"""Import cycles between the project's modules, read from the source (module-level imports only),
and the imports written inside functions (which hide cycles). Exits 1 when a cycle exists.

    .venv/bin/python .ci/cycles_imports.py [--avec-fonctions] [app ...]

With --avec-fonctions, the imports inside functions count as edges too: no cycle then means no
import was put inside a function to hold a cycle together (Django's AppConfig.ready() aside).
"""

import ast
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def modules(apps: list[str]) -> dict[str, Path]:
    trouves = {}
    for app in apps:
        for chemin in (RACINE / app).rglob("*.py"):
            if "migrations" in chemin.parts:
                continue
            nom = ".".join(chemin.relative_to(RACINE).with_suffix("").parts)
            trouves[nom.removesuffix(".__init__")] = chemin
    return trouves


def imports(arbre: ast.Module, nom: str, connus: set[str]) -> tuple[set[str], list[tuple[int, str]]]:
    """(modules imported at module level, [(line, module) imported inside a function])."""
    haut, dedans = set(), []

    def cible(noeud) -> list[str]:
        if isinstance(noeud, ast.Import):
            return [a.name for a in noeud.names]
        base = noeud.module or ""
        if noeud.level:
            paquet = nom.split(".")[: -noeud.level] if not nom.endswith("__init__") else nom.split(".")
            base = ".".join([*paquet, base]) if base else ".".join(paquet)
        # `from paquet import sousmodule` imports the submodule.
        return [f"{base}.{a.name}" if f"{base}.{a.name}" in connus else base for a in noeud.names]

    def visiter(noeud, dans_fonction: bool):
        for enfant in ast.iter_child_nodes(noeud):
            if isinstance(enfant, (ast.Import, ast.ImportFrom)):
                for m in cible(enfant):
                    if m in connus:
                        (dedans.append((enfant.lineno, m)) if dans_fonction else haut.add(m))
            visiter(enfant, dans_fonction or isinstance(enfant, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visiter(arbre, False)
    return haut, dedans


def main(apps: list[str], avec_fonctions: bool = False) -> int:
    trouves = modules(apps)
    connus = set(trouves)
    graphe, internes = {}, {}
    for nom, chemin in trouves.items():
        haut, dedans = imports(ast.parse(chemin.read_text()), nom, connus)
        # Importing a.b.c runs a/__init__ and a/b/__init__ first.
        for m in list(haut):
            parties = m.split(".")
            haut |= {".".join(parties[:i]) for i in range(1, len(parties)) if ".".join(parties[:i]) in connus}
        if avec_fonctions and not nom.endswith(".apps"):
            haut |= {m for _, m in dedans}
        graphe[nom] = haut - {nom}
        internes[nom] = dedans
    cycles, pile, etat = [], [], {}

    def dfs(n):
        etat[n] = 1
        pile.append(n)
        for m in sorted(graphe.get(n, ())):
            if etat.get(m) == 1:
                cycles.append(pile[pile.index(m) :] + [m])
            elif m not in etat:
                dfs(m)
        pile.pop()
        etat[n] = 2

    for n in sorted(graphe):
        if n not in etat:
            dfs(n)
    for nom in sorted(internes):
        for ligne, m in internes[nom]:
            print(f"import inside a function: {trouves[nom].relative_to(RACINE)}:{ligne} → {m}")
    for cycle in cycles:
        print("cycle: " + " → ".join(cycle))
    print(f"{len(cycles)} cycle(s) among {len(graphe)} modules")
    return 1 if cycles else 0


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--avec-fonctions"]
    sys.exit(main(arguments or ["candidatures", "cites", "partenaires", "portal"], "--avec-fonctions" in sys.argv))
