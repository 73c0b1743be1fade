"""What the follows app plugs in when it is ready: what closing an account does with what it
follows. Imported by ``FollowsConfig.ready``."""

from accounts import privacy

# A follow is the person's own wish to hear about places, not a public record: it ends
# with the account (so does any e-mail to it).
privacy.register_close_policy({"follows.Follow.user": privacy.DELETE})
