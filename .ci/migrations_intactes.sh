#!/usr/bin/env bash
# A migration that landed on main is never edited again (DESIGN/STYLE: add a new one instead):
# a database migrated before the edit would keep the old schema, constraints or grants.
# Fails when a migration file present on main (at the merge base with main, or at HEAD on main),
# taken in the first-parent history of main (a branch merged with a merge commit brings its
# migrations as they are at the merge: their edits before it were never on main),
# differs from its first committed version, or was deleted.
# The edits made before this check existed are listed below with the commit that made them;
# candidatures/0007_reassertion_contrainte_et_permissions brings older databases up to them.
set -euo pipefail
cd "$(dirname "$0")/.."

# file → the one later commit whose version is accepted (historical edits, grandfathered).
declare -A TOLERES=(
  [candidatures/migrations/0001_initial.py]=e5abeeb  # check constraint: a withdrawn draft has no reference
  [candidatures/migrations/0003_instruction_agents_notes_messages.py]=3650c59  # reformatted, choices reordered
  [candidatures/migrations/0004_permissions_des_agents.py]=a41385c  # national agents' permissions widened
)

if [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
  # A shallow clone has no history to compare with: fetch it, or say plainly that nothing was checked.
  if ! git fetch --quiet --unshallow 2>/dev/null; then
    echo "migrations_intactes : clone superficiel et historique inaccessible, vérification NON faite." >&2
    exit 0
  fi
fi
if git rev-parse --verify -q main >/dev/null; then
  base=$(git merge-base HEAD main)
elif git rev-parse --verify -q origin/main >/dev/null; then
  base=$(git merge-base HEAD origin/main)
else
  base=HEAD
fi

echecs=0
verifies=0
while IFS= read -r fichier; do
  verifies=$((verifies + 1))
  premier=$(git log --first-parent --diff-filter=A --format=%H "$base" -- "$fichier" | tail -n 1)
  if [ ! -f "$fichier" ]; then
    echo "ÉCHEC : $fichier, présente sur main, a été supprimée." >&2
    echecs=$((echecs + 1))
    continue
  fi
  if git show "$premier:$fichier" | cmp -s - "$fichier"; then
    continue
  fi
  tolere=${TOLERES[$fichier]:-}
  if [ -n "$tolere" ] && git show "$tolere:$fichier" | cmp -s - "$fichier"; then
    continue
  fi
  echo "ÉCHEC : $fichier a changé depuis son premier commit sur main (${premier:0:7}) :" >&2
  git --no-pager diff --stat "$premier" -- "$fichier" >&2 || true
  echo "  Une migration déjà appliquée ne se modifie pas : remettez-la comme elle était et ajoutez-en une nouvelle." >&2
  echecs=$((echecs + 1))
done < <(git ls-tree -r --name-only "$base" | grep -E '^[a-z_]+/migrations/[0-9]{4}_[A-Za-z0-9_]+\.py$')

echo "migrations_intactes: $verifies migration(s) de main vérifiée(s), $echecs modifiée(s)"
[ "$echecs" -eq 0 ]
