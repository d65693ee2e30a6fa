"""Cloud Functions entry points: each deployed function names one of these as its target."""

from functions import bookings as _bookings
from functions import calendar_sync as _calendar_sync
from functions import calendar_webhook as _calendar_webhook
from functions import channel_renewal as _channel_renewal
from functions import hosts as _hosts
from functions import notifications as _notifications
from functions import oauth as _oauth
from functions import privacy as _privacy
from functions import retention_purge as _retention_purge
from functions import teams as _teams
from functions import webhook_delivery as _webhook_delivery

oauth = _oauth.oauth
hosts = _hosts.hosts
bookings = _bookings.bookings
privacy = _privacy.privacy
calendar_sync = _calendar_sync.calendar_sync
calendar_webhook = _calendar_webhook.calendar_webhook
notifications = _notifications.notifications
channel_renewal = _channel_renewal.channel_renewal
retention_purge = _retention_purge.retention_purge
webhook_delivery = _webhook_delivery.webhook_delivery
teams = _teams.teams_api

# Route tables by function name: the dev server mounts them, the OpenAPI document describes them.
ROUTE_TABLES = {
    module.api.name: module.api
    for module in (
        _oauth,
        _hosts,
        _bookings,
        _privacy,
        _calendar_sync,
        _calendar_webhook,
        _notifications,
        _channel_renewal,
        _retention_purge,
        _webhook_delivery,
        _teams,
    )
}
FUNCTIONS = tuple(ROUTE_TABLES)
