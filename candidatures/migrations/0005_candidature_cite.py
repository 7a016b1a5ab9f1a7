import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("candidatures", "0004_permissions_des_agents"),
        ("cites", "0004_suivi_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="candidature",
            name="cite_etendue",
            field=models.ForeignKey(
                blank=True,
                help_text="Quand la candidature étend le périmètre d'une cité déjà labellisée.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="candidatures_extension",
                to="cites.citeeducative",
                verbose_name="cité éducative étendue",
            ),
        ),
        migrations.AddField(
            model_name="candidature",
            name="cite",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="candidatures",
                to="cites.citeeducative",
                verbose_name="cité éducative créée ou étendue",
            ),
        ),
    ]
