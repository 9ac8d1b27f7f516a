"""Assignment plans are called reading plans: one word per thing (an assignment is a reader's task)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studies", "0002_assignment_plan"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="assignmentplan", name="assignment_plan_mode_valid"),
        migrations.RemoveConstraint(
            model_name="assignmentplan", name="assignment_plan_split_needs_k"
        ),
        migrations.RenameModel(old_name="AssignmentPlan", new_name="ReadingPlan"),
        migrations.AlterField(
            model_name="readingplan",
            name="study",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reading_plan",
                to="studies.study",
            ),
        ),
        migrations.AddConstraint(
            model_name="readingplan",
            constraint=models.CheckConstraint(
                condition=models.Q(("mode__in", ["fully_crossed", "subset", "split"])),
                name="reading_plan_mode_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="readingplan",
            constraint=models.CheckConstraint(
                condition=models.Q(("mode", "split"), _negated=True)
                | models.Q(("readers_per_case__gte", 1)),
                name="reading_plan_split_needs_k",
            ),
        ),
    ]
