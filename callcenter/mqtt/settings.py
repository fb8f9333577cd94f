"""Settings of the MQTT link (section ``[mqtt]`` of the configuration)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class MqttSettings(BaseModel):
    """Where the broker is and how the bridge talks to it.

    With ``embedded`` the process starts its own broker on ``host``/``port``
    (loopback only); otherwise it connects to an external one such as mosquitto.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = "127.0.0.1"
    """Broker address; the embedded broker binds here, so keep it on loopback."""
    port: Annotated[int, Field(ge=0, le=65535)] = 1883
    """Broker port; 0 lets the embedded broker pick a free one."""
    username: str | None = None
    """MQTT user name; on a broker with ACLs it decides which topics we may use."""
    password: SecretStr | None = None
    """MQTT password; a ``SecretStr`` so that it never shows in logs or errors."""
    site: str = Field(default="default", pattern=r"^[A-Za-z0-9_-]+$")
    """Topic level that separates call centers sharing one broker."""
    embedded: bool = True
    """Start an in-process broker instead of connecting to an external one."""
    keepalive: Annotated[int, Field(ge=5, le=3600)] = 30
    """Seconds between MQTT pings; a dead broker is noticed after 1.5 times this."""
    client_id_prefix: str = Field(default="callcenter", pattern=r"^[A-Za-z0-9_-]+$")
    """Client ids are ``{prefix}-{role}-{random}``, unique per connection."""
    tls: bool = False
    """Connect with TLS (system CA store); use it whenever the broker is remote."""
    buffer_size: Annotated[int, Field(ge=1)] = 10_000
    """Outgoing messages kept while the broker is unreachable (oldest dropped)."""
