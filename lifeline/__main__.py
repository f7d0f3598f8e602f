"""The ``lifeline`` console script: Django's manage.py under the project's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifeline.settings")
    from django.core.management import execute_from_command_line

    from lifeline.core.env import ensure_metrics_dir

    ensure_metrics_dir()

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
