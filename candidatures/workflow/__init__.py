"""The candidature workflow, as data (DESIGN.md §4).

- `etats`: one record per state (label, badge, who sees it, who may edit, whose move, final);
- `transitions`: the table of allowed transitions (roles, conditions, e-mails);
- `effets`: what a transition does besides changing the state (deposit, label decision);
- `services.candidature_transition`: the one function that applies them.

The shape (records, table) is portal.workflow's, reused by the yearly revue de projet.
"""

from candidatures.workflow.etats import (  # noqa: F401
    AGENT_NATIONAL,
    AGENT_REGIONAL,
    AGENTS,
    COEDITEUR,
    PORTEUR,
    ROLES_LIBELLES,
    Etat,
    etat_get,
    etats_ou,
)
