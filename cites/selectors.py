def chiffres_cles() -> dict:
    return {}
