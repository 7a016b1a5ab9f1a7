from django.conf import settings


def site(request):
    """Site identity for the DSFR templates, from settings: no database query per page."""
    return {
        "SITE_CONFIG": {
            "site_title": settings.SITE_TITLE,
            "site_tagline": settings.SITE_TAGLINE,
            "header_brand_html": "République<br>française",
            "footer_brand_html": "République<br>française",
            "accessibility_status": "NOT",
        },
        "CONTACTS": {
            "accessibilite": settings.CONTACT_ACCESSIBILITE_EMAIL,
            "donnees": settings.CONTACT_DONNEES_EMAIL,
            "hebergeur": settings.HEBERGEUR,
        },
    }
