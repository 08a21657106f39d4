from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('statistiques', '0004_decisions_des_cal'),
    ]

    operations = [
        migrations.AlterField(
            model_name='mesure',
            name='indicateur',
            field=models.CharField(choices=[('actives', 'Demandes actives'), ('actives_typologie', 'Demandes actives par typologie souhaitée'), ('actives_taille', 'Demandes actives par taille du ménage'), ('actives_anciennete', 'Demandes actives par ancienneté'), ('actives_delai_anormal', 'Demandes actives plus anciennes que le délai anormalement long'), ('actives_commune', 'Demandes actives par commune souhaitée en premier'), ('actives_epci', 'Demandes actives par EPCI de la commune souhaitée en premier'), ('actives_commune_typologie', 'Demandes actives par commune et par typologie souhaitée (la plus petite)'), ('actives_commune_taille', 'Demandes actives par commune et par taille du ménage'), ('actives_commune_anciennete', 'Demandes actives par commune et par ancienneté'), ('enregistrements', 'Demandes enregistrées'), ('renouvellements', 'Demandes renouvelées'), ('reactivations', 'Demandes réactivées'), ('radiations', 'Demandes radiées, par motif'), ('attributions', 'Baux signés (attributions), par ancienneté de la demande'), ('decisions_cal', "Décisions des commissions d'attribution, par décision"), ('refus_demandeur', 'Logements attribués refusés par le demandeur, par motif'), ('doublons_confirmes', 'Doublons confirmés'), ('preavis', 'Préavis de renouvellement envoyés'), ('avis_non_distribues', 'Préavis et avis de radiation non distribués')], max_length=30, verbose_name='indicateur'),
        ),
    ]
