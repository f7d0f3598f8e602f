"""factory_boy factories. Passwords are hashed once per session (Argon2 is slow on purpose)."""

from __future__ import annotations

from functools import cache

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

DEFAULT_PASSWORD = "correct-horse-battery-staple-42"


@cache
def _hash(password: str) -> str:
    return make_password(password)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username.lower()}@example.com")
    password = factory.LazyFunction(lambda: _hash(DEFAULT_PASSWORD))

    @factory.post_generation
    def verified_email(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create:
            EmailAddress.objects.create(
                user=self,
                email=self.email,
                primary=True,
                verified=extracted if extracted is not None else True,
            )
