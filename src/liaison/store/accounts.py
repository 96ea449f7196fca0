"""Organisations, users, API tokens and sharing agreements: who may read what.

Secrets never reach this module in clear: passwords arrive as Argon2 hashes and tokens as SHA-256
digests (``liaison.accounts`` makes both). ``audience_for`` turns an organisation and its agreement into
the ``Audience`` every read path filters with.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, select, update
from sqlalchemy.exc import IntegrityError

from liaison.domain import TLP, AccountRole, Audience, audience_levels, deterministic_id
from liaison.errors import NotFound, StoreError
from liaison.store.schema import agreements, api_tokens, collections, organizations, users


class AlreadyExists(StoreError):
    """A name that must be unique is taken."""


@dataclass(frozen=True)
class OrganizationRecord:
    id: str
    name: str
    home: bool
    created_at: datetime


@dataclass(frozen=True)
class UserRecord:
    id: str
    name: str
    role: AccountRole
    organization_id: str
    organization: str
    home: bool  # the user belongs to the home organisation
    password_hash: str | None
    disabled: bool


@dataclass(frozen=True)
class TokenRecord:
    id: str
    user: str
    prefix: str
    label: str | None
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class AgreementRecord:
    organization_id: str
    organization: str
    tlp_max: TLP
    topics: tuple[str, ...]
    can_write: bool
    updated_at: datetime


@dataclass(frozen=True)
class CollectionRecord:
    id: str
    organization_id: str
    organization: str
    title: str
    description: str
    published_at: datetime | None


def collection_id_for(organization_id: str) -> str:
    return deterministic_id("taxii-collection", organization_id)


class AccountStore:
    """Mixed into ``Store``, which provides the engine and the clock."""

    engine: Engine
    _clock: Callable[[], datetime]

    # --- organisations ---

    def add_organization(self, name: str, home: bool = False) -> OrganizationRecord:
        cleaned = name.strip()
        if not cleaned:
            raise StoreError("an organisation needs a name")
        now = self._clock()
        record = OrganizationRecord(deterministic_id("organization", cleaned.casefold()), cleaned, home, now)
        with self.engine.begin() as connection:
            if home and connection.execute(select(organizations.c.name).where(organizations.c.home)).first():
                raise AlreadyExists("this instance already has a home organisation")
            try:
                connection.execute(
                    organizations.insert(),
                    {
                        "id": record.id,
                        "name": cleaned,
                        "name_key": cleaned.casefold(),
                        "home": home,
                        "created_at": now,
                    },
                )
            except IntegrityError as error:
                raise AlreadyExists(f"organisation {cleaned!r} already exists") from error
            # Every organisation reads through one TAXII collection: what its handling rules allow.
            connection.execute(
                collections.insert(),
                {
                    "id": collection_id_for(record.id),
                    "organization_id": record.id,
                    "title": f"{cleaned}" if home else f"Shared with {cleaned}",
                    "description": (
                        "Everything the home organisation may read"
                        if home
                        else f"What {cleaned} may read under its sharing agreement"
                    ),
                    "published_at": None,
                },
            )
        return record

    def organizations(self) -> list[OrganizationRecord]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(organizations).order_by(organizations.c.name_key)).all()
        return [OrganizationRecord(r.id, r.name, r.home, r.created_at) for r in rows]

    def organization(self, name: str) -> OrganizationRecord:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(organizations).where(organizations.c.name_key == name.strip().casefold())
            ).first()
        if row is None:
            raise NotFound(f"no organisation named {name!r} (see `liaison org list`)")
        return OrganizationRecord(row.id, row.name, row.home, row.created_at)

    def home_organization(self) -> OrganizationRecord | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(organizations).where(organizations.c.home)).first()
        return None if row is None else OrganizationRecord(row.id, row.name, row.home, row.created_at)

    # --- users ---

    def add_user(
        self, name: str, organization: str, role: AccountRole, password_hash: str | None
    ) -> UserRecord:
        cleaned = name.strip()
        if not cleaned:
            raise StoreError("a user needs a name")
        org = self.organization(organization)
        if role is AccountRole.PARTNER and org.home:
            raise StoreError("a partner user belongs to a partner organisation, not the home one")
        if role is not AccountRole.PARTNER and not org.home:
            raise StoreError(f"{org.name} is a partner organisation: its users have the role 'partner'")
        user_id = deterministic_id("user", cleaned.casefold())
        with self.engine.begin() as connection:
            try:
                connection.execute(
                    users.insert(),
                    {
                        "id": user_id,
                        "name": cleaned,
                        "name_key": cleaned.casefold(),
                        "organization_id": org.id,
                        "role": role.value,
                        "password_hash": password_hash,
                        "created_at": self._clock(),
                        "disabled": False,
                    },
                )
            except IntegrityError as error:
                raise AlreadyExists(f"user {cleaned!r} already exists") from error
        return UserRecord(user_id, cleaned, role, org.id, org.name, org.home, password_hash, False)

    def _user_query(self) -> Select[Any]:
        return select(
            users.c.id,
            users.c.name,
            users.c.role,
            users.c.organization_id,
            users.c.password_hash,
            users.c.disabled,
            organizations.c.name.label("organization"),
            organizations.c.home,
        ).join(organizations, organizations.c.id == users.c.organization_id)

    @staticmethod
    def _user(row: object) -> UserRecord:
        r = row  # a Row; typed loosely because SQLAlchemy rows are dynamic
        return UserRecord(
            r.id,  # type: ignore[attr-defined]
            r.name,  # type: ignore[attr-defined]
            AccountRole(r.role),  # type: ignore[attr-defined]
            r.organization_id,  # type: ignore[attr-defined]
            r.organization,  # type: ignore[attr-defined]
            bool(r.home),  # type: ignore[attr-defined]
            r.password_hash,  # type: ignore[attr-defined]
            bool(r.disabled),  # type: ignore[attr-defined]
        )

    def user(self, name: str) -> UserRecord:
        with self.engine.connect() as connection:
            row = connection.execute(
                self._user_query().where(users.c.name_key == name.strip().casefold())
            ).first()
        if row is None:
            raise NotFound(f"no user named {name!r} (see `liaison user list`)")
        return self._user(row)

    def find_user(self, name: str) -> UserRecord | None:
        try:
            return self.user(name)
        except NotFound:
            return None

    def users(self) -> list[UserRecord]:
        with self.engine.connect() as connection:
            rows = connection.execute(self._user_query().order_by(users.c.name_key)).all()
        return [self._user(row) for row in rows]

    def set_password_hash(self, name: str, password_hash: str) -> None:
        user = self.user(name)
        with self.engine.begin() as connection:
            connection.execute(update(users).where(users.c.id == user.id).values(password_hash=password_hash))

    # --- tokens ---

    def add_token(self, user_name: str, digest: str, prefix: str, label: str | None = None) -> TokenRecord:
        user = self.user(user_name)
        now = self._clock()
        token_id = deterministic_id("api-token", digest)
        with self.engine.begin() as connection:
            connection.execute(
                api_tokens.insert(),
                {
                    "id": token_id,
                    "user_id": user.id,
                    "digest": digest,
                    "prefix": prefix,
                    "label": label,
                    "created_at": now,
                    "revoked_at": None,
                    "last_used_at": None,
                },
            )
        return TokenRecord(token_id, user.name, prefix, label, now, None)

    def user_for_token(self, digest: str) -> UserRecord | None:
        """The active user a live token belongs to: one indexed query per request."""
        with self.engine.connect() as connection:
            row = connection.execute(
                self._user_query()
                .join(api_tokens, api_tokens.c.user_id == users.c.id)
                .where(api_tokens.c.digest == digest, api_tokens.c.revoked_at.is_(None))
            ).first()
        if row is None or row.disabled:
            return None
        return self._user(row)

    def tokens(self, user_name: str | None = None) -> list[TokenRecord]:
        query = select(api_tokens, users.c.name.label("user_name")).join(
            users, users.c.id == api_tokens.c.user_id
        )
        if user_name:
            query = query.where(users.c.name_key == user_name.strip().casefold())
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(api_tokens.c.created_at)).all()
        return [TokenRecord(r.id, r.user_name, r.prefix, r.label, r.created_at, r.revoked_at) for r in rows]

    def revoke_token(self, prefix_or_id: str) -> TokenRecord:
        """Revoke the one live token whose ID or shown prefix is ``prefix_or_id``."""
        key = prefix_or_id.strip()
        live = [
            t
            for t in self.tokens()
            if t.revoked_at is None and key and (t.id == key or t.prefix == key or key.startswith(t.prefix))
        ]
        if not live:
            raise NotFound(f"no live token {prefix_or_id!r} (see `liaison token list`)")
        if len(live) > 1:
            raise StoreError(f"{prefix_or_id!r} names {len(live)} tokens; give the token ID")
        now = self._clock()
        with self.engine.begin() as connection:
            connection.execute(update(api_tokens).where(api_tokens.c.id == live[0].id).values(revoked_at=now))
        token = live[0]
        return TokenRecord(token.id, token.user, token.prefix, token.label, token.created_at, now)

    # --- agreements and audiences ---

    def set_agreement(
        self, organization: str, tlp_max: TLP, topics: tuple[str, ...] = (), can_write: bool = False
    ) -> AgreementRecord:
        org = self.organization(organization)
        if org.home:
            raise StoreError("an agreement is with a partner organisation, not the home one")
        if tlp_max.rank > TLP.AMBER.rank:
            raise StoreError(
                "an agreement allows at most TLP:AMBER: AMBER+STRICT stays in the home organisation, "
                "and a RED report names its recipients itself (ingest --recipient)"
            )
        now = self._clock()
        cleaned = tuple(sorted({t.strip().lower() for t in topics if t.strip()}))
        values = {
            "tlp_max": tlp_max.value,
            "topics": json.dumps(cleaned),
            "can_write": can_write,
            "updated_at": now,
        }
        with self.engine.begin() as connection:
            changed = connection.execute(
                update(agreements).where(agreements.c.organization_id == org.id).values(**values)
            ).rowcount
            if not changed:
                connection.execute(
                    agreements.insert(), {"organization_id": org.id, "created_at": now, **values}
                )
        return AgreementRecord(org.id, org.name, tlp_max, cleaned, can_write, now)

    def remove_agreement(self, organization: str) -> None:
        org = self.organization(organization)
        with self.engine.begin() as connection:
            connection.execute(agreements.delete().where(agreements.c.organization_id == org.id))

    def agreements(self, organization_id: str | None = None) -> list[AgreementRecord]:
        query = select(agreements, organizations.c.name).join(
            organizations, organizations.c.id == agreements.c.organization_id
        )
        if organization_id is not None:
            query = query.where(agreements.c.organization_id == organization_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(organizations.c.name_key)).all()
        return [
            AgreementRecord(
                r.organization_id,
                r.name,
                TLP(r.tlp_max),
                tuple(json.loads(r.topics)),
                bool(r.can_write),
                r.updated_at,
            )
            for r in rows
        ]

    def agreement_for(self, organization_id: str) -> AgreementRecord | None:
        found = self.agreements(organization_id)
        return found[0] if found else None

    def audience_for(self, organization_id: str) -> Audience:
        """The handling rules of one organisation, as every read path applies them: one query."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(organizations.c.name, organizations.c.home, agreements.c.tlp_max, agreements.c.topics)
                .outerjoin(agreements, agreements.c.organization_id == organizations.c.id)
                .where(organizations.c.id == organization_id)
            ).first()
        if row is None:
            raise NotFound(f"no organisation {organization_id}")
        agreed = not row.home and row.tlp_max is not None
        levels = audience_levels(bool(row.home), TLP(row.tlp_max) if agreed else None)
        topics = frozenset(json.loads(row.topics)) if agreed else frozenset()
        return Audience(row.name, levels, topics)

    # --- collections ---

    def collections(self, organization_id: str | None = None) -> list[CollectionRecord]:
        query = select(collections, organizations.c.name.label("organization")).join(
            organizations, organizations.c.id == collections.c.organization_id
        )
        if organization_id is not None:
            query = query.where(collections.c.organization_id == organization_id)
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(organizations.c.name_key)).all()
        return [
            CollectionRecord(r.id, r.organization_id, r.organization, r.title, r.description, r.published_at)
            for r in rows
        ]

    def collection_for(self, organization_id: str) -> CollectionRecord:
        for record in self.collections(organization_id):
            return record
        raise NotFound(f"no collection for organisation {organization_id}")
