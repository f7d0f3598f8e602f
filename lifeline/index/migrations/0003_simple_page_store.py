from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("index", "0002_release_description_html"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexSerial",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("serial", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="SimplePage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "key",
                    models.CharField(help_text="project:<id>:<kind>", max_length=100, unique=True),
                ),
                (
                    "etag",
                    models.CharField(help_text="The ETag of the stored rendering.", max_length=80),
                ),
                ("body", models.BinaryField()),
                ("gzipped", models.BinaryField()),
            ],
        ),
    ]
