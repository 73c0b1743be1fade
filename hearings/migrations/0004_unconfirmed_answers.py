# Answers from people not logged in, kept until their e-mail address is confirmed.

import django.contrib.gis.db.models.fields
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('areas', '0003_municipality_identity'),
        ('hearings', '0003_answer_replies'),
    ]

    operations = [
        migrations.CreateModel(
            name='UnconfirmedAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='e-mail address')),
                ('language', models.CharField(max_length=10)),
                ('text', models.TextField(max_length=20000, validators=[django.core.validators.MinLengthValidator(10), django.core.validators.MaxLengthValidator(20000)], verbose_name='answer')),
                ('signed_name', models.CharField(blank=True, max_length=200, verbose_name='name shown with the answer')),
                ('name_withheld', models.BooleanField(default=False, verbose_name='name withheld publicly')),
                ('geom', django.contrib.gis.db.models.fields.GeometryField(blank=True, null=True, srid=25833, verbose_name='place')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('confirmation_sent_at', models.DateTimeField(blank=True, null=True)),
                ('answer', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='hearings.hearinganswer')),
                ('areas', models.ManyToManyField(blank=True, related_name='+', to='areas.area')),
                ('hearing', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='unconfirmed_answers', to='hearings.hearing')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='UnconfirmedAnswerAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(upload_to='hearing-answers/%Y/')),
                ('name', models.CharField(max_length=200)),
                ('size', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('unconfirmed', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='hearings.unconfirmedanswer')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
    ]
