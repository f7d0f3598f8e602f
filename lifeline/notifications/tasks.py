from django.tasks import task

from lifeline.notifications import services


@task()
def deliver_email(log_id: int) -> str:
    return services.deliver(log_id)
