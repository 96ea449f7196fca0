"""Event triggers in English and French, coded in PLOVER and CAMEO.

Each trigger lemma maps to an ``EventCode``: a short type name, the PLOVER event type and mode, and the
CAMEO code (codes follow the CAMEO codebook; PLOVER types and modes follow the CAMEO-to-PLOVER table of
the PLOVER manual). The frame can refine the code: "receive" and "host" are visits seen from the host
(CAMEO 043), and in a visit the visitor is PLOVER's actor and the host the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventCode:
    type: str
    plover: str
    mode: str | None
    cameo: str
    # the trigger's grammatical subject is the host of a visit, not its actor ("X received Y")
    subject_hosts: bool = False


CONSULT = EventCode("consult", "CONSULT", None, "040")
NEGOTIATE = EventCode("negotiate", "CONSULT", None, "046")
VISIT = EventCode("visit", "CONSULT", "visit", "042")
HOST = EventCode("visit", "CONSULT", "visit", "043", subject_hosts=True)
CALL = EventCode("call", "CONSULT", "phone", "041")
SUMMIT = EventCode("meeting", "CONSULT", "multilateral", "040")
SIGN = EventCode("agreement", "AGREE", None, "057")
AGREE = EventCode("agree", "AGREE", None, "030")
RECOGNISE = EventCode("recognition", "SUPPORT", None, "054")
COOPERATE = EventCode("cooperate", "COOPERATE", None, "060")
SHARE_INTELLIGENCE = EventCode("share intelligence", "COOPERATE", None, "064")
JUDICIAL = EventCode("judicial cooperation", "COOPERATE", None, "063")
EXERCISE = EventCode("military exercise", "COOPERATE", None, "062")
ARREST = EventCode("arrest", "COERCE", "arrest", "173")
SEIZE = EventCode("dismantle", "COERCE", "confiscate", "171")
EXPEL = EventCode("expel", "COERCE", "deport", "174")
SANCTION = EventCode("sanction", "COERCE", "restrict", "163")
ATTACK = EventCode("attack", "ASSAULT", None, "180")
CYBER_ATTACK = EventCode("cyber attack", "ASSAULT", "cyber", "180")
ACCUSE = EventCode("accuse", "ACCUSE", "disapprove", "112")
DEPLOY = EventCode("deploy", "MOBILIZE", "troops", "154")
POLICE_OPERATION = EventCode("police operation", "COERCE", None, "170")

VERB_TRIGGERS: dict[str, dict[str, EventCode]] = {
    "en": {
        "meet": CONSULT,
        "discuss": CONSULT,
        "confer": CONSULT,
        "consult": CONSULT,
        "negotiate": NEGOTIATE,
        "visit": VISIT,
        "travel": VISIT,
        "receive": HOST,
        "host": HOST,
        "welcome": HOST,
        "call": CALL,
        "phone": CALL,
        "telephone": CALL,
        "sign": SIGN,
        "seal": SIGN,
        "agree": AGREE,
        "recognise": RECOGNISE,
        "recognize": RECOGNISE,
        "cooperate": COOPERATE,
        "co-operate": COOPERATE,
        "arrest": ARREST,
        "detain": ARREST,
        "apprehend": ARREST,
        "dismantle": SEIZE,
        "disrupt": SEIZE,
        "seize": SEIZE,
        "shut": SEIZE,
        "raid": SEIZE,
        "expel": EXPEL,
        "deport": EXPEL,
        "extradite": EXPEL,
        "sanction": SANCTION,
        "attack": ATTACK,
        "hack": CYBER_ATTACK,
        "bomb": ATTACK,
        "accuse": ACCUSE,
        "blame": ACCUSE,
    },
    "fr": {
        "rencontrer": CONSULT,
        "réunir": CONSULT,
        "entretenir": CONSULT,
        "discuter": CONSULT,
        "négocier": NEGOTIATE,
        "visiter": VISIT,
        "rendre": VISIT,
        "recevoir": HOST,
        "accueillir": HOST,
        "appeler": CALL,
        "téléphoner": CALL,
        "signer": SIGN,
        "conclure": SIGN,
        "convenir": AGREE,
        "reconnaître": RECOGNISE,
        "coopérer": COOPERATE,
        "arrêter": ARREST,
        "interpeller": ARREST,
        "appréhender": ARREST,
        "démanteler": SEIZE,
        "saisir": SEIZE,
        "perquisitionner": SEIZE,
        "expulser": EXPEL,
        "extrader": EXPEL,
        "sanctionner": SANCTION,
        "attaquer": ATTACK,
        "pirater": CYBER_ATTACK,
        "accuser": ACCUSE,
        "imputer": ACCUSE,
    },
}

NOUN_TRIGGERS: dict[str, dict[str, EventCode]] = {
    "en": {
        "meeting": CONSULT,
        "talk": CONSULT,
        "talks": CONSULT,
        "session": CONSULT,
        "negotiation": NEGOTIATE,
        "visit": VISIT,
        "trip": VISIT,
        "summit": SUMMIT,
        "call": CALL,
        "agreement": SIGN,
        "accord": SIGN,
        "accords": SIGN,
        "treaty": SIGN,
        "memorandum": SIGN,
        "recognition": RECOGNISE,
        "arrest": ARREST,
        "raid": SEIZE,
        "takedown": SEIZE,
        "seizure": SEIZE,
        "attack": ATTACK,
        "cyberattack": CYBER_ATTACK,
        "exercise": EXERCISE,
        "drill": EXERCISE,
        "deportation": EXPEL,
        "extradition": EXPEL,
        "sanction": SANCTION,
    },
    "fr": {
        "réunion": CONSULT,
        "rencontre": CONSULT,
        "entretien": CONSULT,
        "négociation": NEGOTIATE,
        "visite": VISIT,
        "voyage": VISIT,
        "sommet": SUMMIT,
        "accord": SIGN,
        "traité": SIGN,
        "reconnaissance": RECOGNISE,
        "arrestation": ARREST,
        "interpellation": ARREST,
        "perquisition": SEIZE,
        "démantèlement": SEIZE,
        "saisie": SEIZE,
        "attaque": ATTACK,
        "cyberattaque": CYBER_ATTACK,
        "attentat": ATTACK,
        "exercice": EXERCISE,
        "manœuvre": EXERCISE,
        "expulsion": EXPEL,
        "extradition": EXPEL,
        "sanction": SANCTION,
    },
}

# Nouns whose presence as object turns a general verb into a trigger: "share intelligence",
# "hold talks", "strengthen cooperation", "take down servers".
OBJECT_TRIGGERS: dict[str, dict[tuple[str, str], EventCode]] = {
    "en": {
        ("share", "intelligence"): SHARE_INTELLIGENCE,
        ("share", "information"): SHARE_INTELLIGENCE,
        ("exchange", "information"): SHARE_INTELLIGENCE,
        ("exchange", "intelligence"): SHARE_INTELLIGENCE,
        ("hold", "talk"): CONSULT,
        ("hold", "talks"): CONSULT,
        ("strengthen", "cooperation"): COOPERATE,
        ("take", "server"): SEIZE,
        ("take", "infrastructure"): SEIZE,
        ("launch", "attack"): ATTACK,
        ("bring", "together"): CONSULT,
        ("take", "control"): SEIZE,
        ("unveil", "operation"): POLICE_OPERATION,
        ("announce", "operation"): POLICE_OPERATION,
        ("conduct", "operation"): POLICE_OPERATION,
        ("gain", "control"): SEIZE,
        ("hold", "meeting"): CONSULT,
        ("hold", "session"): CONSULT,
        ("hold", "summit"): SUMMIT,
        ("hold", "assembly"): SUMMIT,
        ("deploy", "troops"): DEPLOY,
        ("deploy", "forces"): DEPLOY,
        ("deploy", "soldier"): DEPLOY,
        ("deploy", "officer"): DEPLOY,
    },
    "fr": {
        ("partager", "renseignement"): SHARE_INTELLIGENCE,
        ("échanger", "information"): SHARE_INTELLIGENCE,
        ("renforcer", "coopération"): COOPERATE,
        ("mener", "opération"): SEIZE,
        ("tenir", "séance"): CONSULT,
        ("prendre", "contrôle"): SEIZE,
        ("dévoiler", "opération"): POLICE_OPERATION,
        ("annoncer", "opération"): POLICE_OPERATION,
        ("tenir", "réunion"): CONSULT,
        ("tenir", "entretien"): CONSULT,
        ("tenir", "sommet"): SUMMIT,
        ("tenir", "assemblée"): SUMMIT,
        ("déployer", "troupe"): DEPLOY,
        ("déployer", "soldat"): DEPLOY,
        ("déployer", "force"): DEPLOY,
    },
}

# Words that make an event hoped for, planned, or denied rather than something that happened.
HOPE_WORDS = frozenset(
    {"hope", "hoped", "hopes", "hoping", "wish", "espère", "espèrent", "souhaite", "souhaitent", "espoir"}
)
PLAN_WORDS = frozenset(
    {
        "will",
        "shall",
        "plan",
        "plans",
        "planned",
        "expected",
        "scheduled",
        "intend",
        "intends",
        "upcoming",
        "future",
        "next",
        "prochain",
        "prochaine",
        "prochains",
        "futur",
        "futures",
        "futurs",
        "prévu",
        "prévue",
        "devrait",
        "devraient",
        "doit",
        "doivent",
    }
)
NEGATION_WORDS = frozenset({"not", "never", "no", "n't", "pas", "jamais", "aucun", "aucune"})
