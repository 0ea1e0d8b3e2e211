from django.conf import settings
from django.db import models


class ProviderIdentity(models.Model):
    """A person's account at the council's identity provider, by the provider's stable identifier.

    OpenID Connect promises that `sub` never changes and is never reused within one issuer, whereas an
    email address can be renamed or handed to someone else; so an account is found by (issuer, subject),
    never by email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_identities")
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField()

    class Meta:
        verbose_name = "council account"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_provider_subject")]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"
