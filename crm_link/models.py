"""The CRM tables as typed SQLAlchemy 2 declarative classes.

Only ``crm_link`` imports this module: rows are turned into ``crm_link.dto`` records
before they leave. Relationships raise on lazy load, so every query states what it
loads. Call-path tables (interactions, surveys, callbacks, voicemails) are unique by
``call_id`` so that replaying the outbox twice stores each record once. Agent ids on
call records carry no foreign key: a call is a fact even if the agent was never
provisioned in the CRM. ``agent_state_intervals`` is unique by (agent, start) for
the same reason. A booking is found by the digits of its reference
(``reference_digits``, unique), a corporate client by their account number
(``customers.account_number``, unique): what a caller keys on the phone.
"""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.domain.events import AgentState, CallOutcome
from crm_link.db import Base, intpk, long_text, short_text, timestamp
from crm_link.enums import (
    BookingKind,
    BookingStatus,
    CallbackStatus,
    Channel,
    ComplaintState,
    LifecycleStage,
    LoyaltyStage,
    Severity,
    Tier,
    ValueClass,
    VoicemailStatus,
)

CALL_ID = sa.String(64)
AGENT_ID = sa.String(32)


class Agent(Base):
    """A seat: the person who answers, and may manage key accounts."""

    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(AGENT_ID, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    extension: Mapped[str] = mapped_column(sa.String(32), default="")
    skills: Mapped[list[str]] = mapped_column(sa.JSON, default=list)


class Customer(Base):
    """A person or company that calls us.

    ``account_number`` is a corporate client's account number (digits only, as
    keyed on a phone; None for most customers). It is unique, so a keyed account
    number names at most one customer, and it is not a booking reference: the two
    are looked up in their own columns even when they have the same digits.
    """

    __tablename__ = "customers"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[short_text]
    language: Mapped[str] = mapped_column(sa.String(16), default="zh-CN")
    tier: Mapped[Tier] = mapped_column(default=Tier.ORDINARY)
    value_class: Mapped[ValueClass] = mapped_column(default=ValueClass.C)
    loyalty_stage: Mapped[LoyaltyStage] = mapped_column(default=LoyaltyStage.PROSPECT)
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(
        default=LifecycleStage.EXPLORATION
    )
    account_manager_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL"), default=None
    )
    notes: Mapped[long_text]
    created_at: Mapped[timestamp]
    account_number: Mapped[str | None] = mapped_column(
        sa.String(32), default=None, index=True, unique=True
    )

    phones: Mapped[list["PhoneNumber"]] = relationship(
        back_populates="customer", lazy="raise", cascade="all, delete-orphan"
    )
    account_manager: Mapped[Agent | None] = relationship(lazy="raise")


class PhoneNumber(Base):
    """One E.164 number of a customer; a number may be shared (a household line)."""

    __tablename__ = "phone_numbers"
    __table_args__ = (sa.UniqueConstraint("customer_id", "e164"),)

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    e164: Mapped[str] = mapped_column(sa.String(16), index=True)
    label: Mapped[str] = mapped_column(sa.String(16), default="mobile")

    customer: Mapped[Customer] = relationship(back_populates="phones", lazy="raise")


class Booking(Base):
    """A reservation of a customer: a hotel stay, a trip, a flight, a transfer.

    ``reference`` is as printed on the confirmation (``H-1234-5678``);
    ``reference_digits`` are its digits (``12345678``), which is what a caller keys
    and what the IVR finds the customer by, so they are unique. Dates are calendar
    days (check-in and check-out, departure and return), not instants.
    """

    __tablename__ = "bookings"
    __table_args__ = (sa.Index(None, "customer_id", "ends_on"),)

    id: Mapped[intpk]
    reference: Mapped[str] = mapped_column(sa.String(32))
    reference_digits: Mapped[str] = mapped_column(sa.String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT")
    )
    kind: Mapped[BookingKind]
    status: Mapped[BookingStatus] = mapped_column(default=BookingStatus.CONFIRMED)
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    place: Mapped[short_text]
    created_at: Mapped[timestamp]


class Interaction(Base):
    """The record of one call, written once when the call completes."""

    __tablename__ = "interactions"
    __table_args__ = (
        sa.Index(None, "customer_id", "offered_at"),
        sa.Index(None, "number", "offered_at"),
    )

    id: Mapped[intpk]
    call_id: Mapped[str] = mapped_column(CALL_ID, unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL")
    )
    number: Mapped[str] = mapped_column(sa.String(32))
    queue: Mapped[str | None] = mapped_column(sa.String(64))
    agent_id: Mapped[str | None] = mapped_column(AGENT_ID)
    offered_at: Mapped[timestamp]
    wait_seconds: Mapped[float] = mapped_column(default=0.0)
    talk_seconds: Mapped[float] = mapped_column(default=0.0)
    wrap_up_seconds: Mapped[float] = mapped_column(default=0.0)
    outcome: Mapped[CallOutcome]
    disposition: Mapped[str] = mapped_column(sa.String(64), default="")
    notes: Mapped[long_text]
    recorded_at: Mapped[timestamp]


class Complaint(Base):
    """An explicit expression of dissatisfaction, handled through the workflow."""

    __tablename__ = "complaints"
    __table_args__ = (
        sa.Index(None, "customer_id", "opened_at"),
        sa.Index(None, "state", "deadline_at"),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5",
            name="satisfaction_range",
        ),
    )

    id: Mapped[intpk]
    customer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="RESTRICT")
    )
    call_id: Mapped[str | None] = mapped_column(CALL_ID, default=None)
    state: Mapped[ComplaintState] = mapped_column(default=ComplaintState.RECEIVED)
    channel: Mapped[Channel] = mapped_column(default=Channel.PHONE)
    category: Mapped[str] = mapped_column(sa.String(64))
    severity: Mapped[Severity] = mapped_column(default=Severity.ORDINARY)
    description: Mapped[long_text]
    demands: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    attachments: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    department: Mapped[short_text]
    owner: Mapped[str | None] = mapped_column(AGENT_ID, default=None)
    recorded_by: Mapped[str] = mapped_column(sa.String(64), default="")
    opened_at: Mapped[timestamp]
    deadline_at: Mapped[timestamp]
    closed_at: Mapped[float | None] = mapped_column(default=None)
    resolution: Mapped[long_text]
    follow_up_result: Mapped[long_text]
    satisfaction: Mapped[int | None] = mapped_column(default=None)
    updated_at: Mapped[timestamp]

    events: Mapped[list["ComplaintEvent"]] = relationship(
        back_populates="complaint",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ComplaintEvent.id",
    )


class ComplaintEvent(Base):
    """One step of a complaint: the audit trail (who, when, from, to, why)."""

    __tablename__ = "complaint_events"

    id: Mapped[intpk]
    complaint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[ComplaintState | None]
    to_state: Mapped[ComplaintState]
    step: Mapped[str] = mapped_column(sa.String(32))
    who: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[timestamp]
    comment: Mapped[long_text]

    complaint: Mapped[Complaint] = relationship(back_populates="events", lazy="raise")


class SurveyResponse(Base):
    """The caller's 1-5 score after a call."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        sa.Index(None, "customer_id", "at"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    )

    id: Mapped[intpk]
    call_id: Mapped[str] = mapped_column(CALL_ID, unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL")
    )
    agent_id: Mapped[str | None] = mapped_column(AGENT_ID)
    score: Mapped[int]
    comment: Mapped[long_text]
    at: Mapped[timestamp]


class CallbackRequest(Base):
    """A caller asked to be called back instead of waiting."""

    __tablename__ = "callback_requests"
    __table_args__ = (sa.Index(None, "status", "requested_at"),)

    id: Mapped[intpk]
    call_id: Mapped[str] = mapped_column(CALL_ID, unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL")
    )
    number: Mapped[str] = mapped_column(sa.String(32))
    queue: Mapped[str | None] = mapped_column(sa.String(64))
    requested_at: Mapped[timestamp]
    preferred_at: Mapped[float | None] = mapped_column(default=None)
    status: Mapped[CallbackStatus] = mapped_column(default=CallbackStatus.PENDING)
    notes: Mapped[long_text]


class Voicemail(Base):
    """A message left in the IVR; the recording itself is stored elsewhere."""

    __tablename__ = "voicemails"
    __table_args__ = (
        sa.Index(None, "status", "recorded_at"),
        sa.Index(None, "mailbox", "recorded_at"),
    )

    id: Mapped[intpk]
    call_id: Mapped[str] = mapped_column(CALL_ID, unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("customers.id", ondelete="SET NULL")
    )
    number: Mapped[str] = mapped_column(sa.String(32))
    queue: Mapped[str | None] = mapped_column(sa.String(64))
    recorded_at: Mapped[timestamp]
    duration_seconds: Mapped[float] = mapped_column(default=0.0)
    recording_ref: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[VoicemailStatus] = mapped_column(default=VoicemailStatus.NEW)
    transcript: Mapped[long_text]
    mailbox: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    handled_at: Mapped[float | None]
    handled_by: Mapped[str | None] = mapped_column(sa.String(64))


class AgentStateInterval(Base):
    """A stretch an agent spent in one state: what occupancy reports sum.

    Written when the stretch ends (the next ``AgentStateChanged``, or the server
    stopping) and, while open, every minute up to that minute (a checkpoint extends
    the same row): a crash loses at most the last minute, never guesses it.
    """

    __tablename__ = "agent_state_intervals"
    __table_args__ = (
        sa.UniqueConstraint("agent_id", "started_at"),
        sa.Index(None, "ended_at"),
    )

    id: Mapped[intpk]
    agent_id: Mapped[str] = mapped_column(AGENT_ID)
    state: Mapped[AgentState]
    reason: Mapped[str] = mapped_column(sa.String(64), default="")
    call_id: Mapped[str | None] = mapped_column(CALL_ID, default=None)
    started_at: Mapped[timestamp]
    ended_at: Mapped[timestamp]
