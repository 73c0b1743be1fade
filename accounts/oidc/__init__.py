"""Log-in with ID-porten (or another OpenID Connect provider) on top of allauth's
openid_connect provider: the checks ID-porten's integration guide asks of a client and
allauth leaves out (nonce, acr level, the ID token's signature always), no national
identity number stored unless configured, and logging out at the provider as well.

settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"] names the provider
here; allauth then takes its URLs from accounts.oidc.urls (the same paths as its own).
"""
