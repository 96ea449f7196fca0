"""The store's tables, as SQLAlchemy Core metadata. Migrations in ``migrations/versions`` create them;
a test checks that the migrated database and this metadata agree."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

ID = String(36)

reports = Table(
    "reports",
    metadata,
    Column("id", ID, primary_key=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("external_id", Text),
    Column("title", Text),
    Column("source", Text),
    Column("url", Text),
    Column("published", Date),
    Column("published_inferred", Boolean, nullable=False, default=False),
    Column("language", String(16)),
    Column("tlp", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("origin", Text),
    Column("pipeline_version", Text, nullable=False),
    Column("extraction", Text, nullable=False),  # the liaison.extraction/1 JSON as extracted
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    # A syndicated copy points at the report it copies; it stays readable but counts once as a source.
    Column("near_duplicate_of", ID),
    Column("near_duplicate_similarity", Float),
)
Index("ix_reports_published", reports.c.published)
Index("ix_reports_ingested_at", reports.c.ingested_at)
Index("ix_reports_near_duplicate_of", reports.c.near_duplicate_of)

# MinHash signature of each report and its LSH band buckets: reports sharing a bucket are candidates.
report_fingerprints = Table(
    "report_fingerprints",
    metadata,
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("signature", LargeBinary, nullable=False),
)

report_fingerprint_bands = Table(
    "report_fingerprint_bands",
    metadata,
    Column("band", Integer, primary_key=True),
    Column("bucket", String(16), primary_key=True),
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
)
Index("ix_report_fingerprint_bands_report", report_fingerprint_bands.c.report_id)

sentences = Table(
    "sentences",
    metadata,
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("language", String(16), nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", ID, primary_key=True),
    Column("type", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("canonical_key", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The root of the entity's merge tree (itself when it is canonical), kept up to date on merge/split.
    Column("canonical_id", ID, nullable=False),
    Column("merged_into", ID),
    Column("attributes", Text, nullable=False, server_default="{}"),
    Column("type_confidence", Float, nullable=False, server_default="1.0"),
)
Index("ix_entities_type", entities.c.type)
Index("ix_entities_canonical", entities.c.canonical_id)

entity_aliases = Table(
    "entity_aliases",
    metadata,
    Column("id", ID, primary_key=True),
    Column("entity_id", ID, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("alias", Text, nullable=False),
    Column("normalized", Text, nullable=False),
    Column("language", String(16)),
    Column("first_report_id", ID, ForeignKey("reports.id", ondelete="SET NULL")),
    Column("source", String(16), nullable=False, server_default="mention"),
    UniqueConstraint("entity_id", "alias", name="uq_entity_aliases_entity_alias"),
)
Index("ix_entity_aliases_normalized", entity_aliases.c.normalized)

mentions = Table(
    "mentions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", ID, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("label", String(32), nullable=False),
    Column("language", String(16), nullable=False),
)
Index("ix_mentions_report", mentions.c.report_id)
Index("ix_mentions_entity", mentions.c.entity_id)

# Why entities were merged (automatically or by an analyst) or split apart (a cannot-link).
entity_links = Table(
    "entity_links",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(16), nullable=False),  # auto | manual | split
    Column("kept_id", ID, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("other_id", ID, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("reason", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("report_id", ID, ForeignKey("reports.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_entity_links_kept", entity_links.c.kept_id)
Index("ix_entity_links_other", entity_links.c.other_id)

# Roles reference the entities as extracted; readers map them to their canonical entities.
roles = Table(
    "roles",
    metadata,
    Column("id", ID, primary_key=True),
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("person_id", ID, nullable=False),
    Column("title", Text, nullable=False),
    Column("organization_id", ID),
    Column("country_id", ID),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence", Integer, nullable=False),
)
Index("ix_roles_person", roles.c.person_id)
Index("ix_roles_report", roles.c.report_id)


# A real-world event, however many reports mention it; its fields come from its first mention.
events = Table(
    "events",
    metadata,
    Column("id", ID, primary_key=True),
    Column("type", Text, nullable=False),
    Column("plover", String(16), nullable=False),
    Column("plover_mode", String(32)),
    Column("cameo", String(8)),
    Column("date_value", String(32)),
    Column("date_precision", String(16)),
    Column("location_id", ID),
    Column("status", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_events_plover", events.c.plover)
Index("ix_events_date", events.c.date_value)

# One report's account of an event, with its evidence and why it was attached to the event.
event_mentions = Table(
    "event_mentions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("event_id", ID, ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("type", Text, nullable=False),
    Column("plover", String(16), nullable=False),
    Column("plover_mode", String(32)),
    Column("cameo", String(8)),
    Column("date_value", String(32)),
    Column("date_precision", String(16)),
    Column("date_text", Text),
    Column("location_id", ID),
    Column("status", String(16), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("topics", Text, nullable=False),  # JSON list
    Column("evidence", Text, nullable=False),  # JSON list of {start, end, sentence}
    Column("reason", Text, nullable=False),
)
Index("ix_event_mentions_event", event_mentions.c.event_id)
Index("ix_event_mentions_report", event_mentions.c.report_id)

# Participants as extracted (entity ids); readers map them to canonical entities.
event_participants = Table(
    "event_participants",
    metadata,
    Column("mention_id", ID, ForeignKey("event_mentions.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", ID, primary_key=True),
    Column("role", String(16), nullable=False),
)
Index("ix_event_participants_entity", event_participants.c.entity_id)

claims = Table(
    "claims",
    metadata,
    Column("id", ID, primary_key=True),
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("subject", Text, nullable=False),
    Column("value", Float, nullable=False),
    Column("qualifier", String(16)),
    Column("unit", Text, nullable=False),
    Column("period", Text),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence", Integer, nullable=False),
)
Index("ix_claims_report", claims.c.report_id)
Index("ix_claims_subject", claims.c.subject)

report_topics = Table(
    "report_topics",
    metadata,
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("topic", String(64), primary_key=True),
)
Index("ix_report_topics_topic", report_topics.c.topic)

feeds = Table(
    "feeds",
    metadata,
    Column("id", ID, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("name", Text),
    Column("tlp", String(16), nullable=False),
    # Validators of the last successful fetch, sent back so an unchanged feed costs one 304.
    Column("etag", Text),
    Column("last_modified", Text),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("polled_at", DateTime(timezone=True)),
    Column("status", Text),
    Column("error", Text),
)

# Entries already handled, so a poll fetches only new ones; failed ones are retried a few times.
feed_entries = Table(
    "feed_entries",
    metadata,
    Column("feed_id", ID, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_key", Text, primary_key=True),
    Column("url", Text),
    Column("report_id", ID),
    Column("status", String(16), nullable=False),
    Column("error", Text),
    Column("attempts", Integer, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# STIX objects received from partners, every version kept: (id, modified) is one version, ``current``
# marks the latest (``liaison.store.stix_objects``). ``json`` is the object as received, canonical JSON.
stix_objects = Table(
    "stix_objects",
    metadata,
    Column("id", Text, primary_key=True),
    Column("modified", String(40), primary_key=True),
    Column("version_key", String(40), nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(8), nullable=False),
    Column("json", Text, nullable=False),
    Column("received_from", Text, nullable=False),
    Column("bundle_id", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("current", Boolean, nullable=False),
)
Index("ix_stix_objects_current", stix_objects.c.current, stix_objects.c.type)

# One row per bundle received: who sent it, from which file, and what it changed.
stix_imports = Table(
    "stix_imports",
    metadata,
    Column("id", ID, primary_key=True),
    Column("bundle_id", Text, nullable=False),
    Column("received_from", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("stored", Integer, nullable=False),
    Column("unchanged", Integer, nullable=False),
    Column("replaced", Integer, nullable=False),
    Column("older", Integer, nullable=False),
)
Index("ix_stix_imports_bundle", stix_imports.c.bundle_id)

# --- Cooperation: organisations, people, agreements, what each organisation's collection holds, audit ---

organizations = Table(
    "organizations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False, unique=True),  # casefolded: names are unique whatever the case
    Column("home", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False, unique=True),
    Column("organization_id", ID, ForeignKey("organizations.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text),  # Argon2id; NULL for a token-only account
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
)

# Tokens are 256-bit random secrets: a SHA-256 digest is enough to store them (no dictionary to attack),
# and it lets a request find its token with one indexed lookup.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ID, ForeignKey("users.id"), nullable=False),
    Column("digest", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),  # shown in listings so a token can be recognised
    Column("label", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
)

agreements = Table(
    "agreements",
    metadata,
    Column("organization_id", ID, ForeignKey("organizations.id"), primary_key=True),
    Column("tlp_max", String(16), nullable=False),
    Column("topics", Text, nullable=False),  # JSON list; empty: every topic
    Column("can_write", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The organisations a TLP:RED report is for (casefolded names).
report_recipients = Table(
    "report_recipients",
    metadata,
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("organization", Text, primary_key=True),
)

# One TAXII collection per organisation: what its audience may read, materialised at publication.
collections = Table(
    "collections",
    metadata,
    Column("id", ID, primary_key=True),
    Column("organization_id", ID, ForeignKey("organizations.id"), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("published_at", DateTime(timezone=True)),
)

collection_objects = Table(
    "collection_objects",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("collection_id", ID, ForeignKey("collections.id", ondelete="CASCADE"), nullable=False),
    Column("stix_id", Text, nullable=False),
    Column("version", String(40), nullable=False),  # the object's ``modified`` (or ``created``), as served
    Column("version_key", String(40), nullable=False),  # sortable form of ``version``
    Column("type", String(250), nullable=False),
    Column("spec_version", String(8), nullable=False),
    Column("date_added", DateTime(timezone=True), nullable=False),
    Column("current", Boolean, nullable=False),
    Column("json", Text, nullable=False),
    UniqueConstraint("collection_id", "stix_id", "version", name="uq_collection_objects_version"),
)
Index("ix_collection_objects_added", collection_objects.c.collection_id, collection_objects.c.date_added)
# TAXII pages walk a collection in ``seq`` order: without this index every page sorts the collection.
Index("ix_collection_objects_seq", collection_objects.c.collection_id, collection_objects.c.seq)
Index("ix_collection_objects_id", collection_objects.c.collection_id, collection_objects.c.stix_id)

# The store rows an organisation may read through the REST API: reports, entities, events, claims, roles.
collection_members = Table(
    "collection_members",
    metadata,
    Column("collection_id", ID, ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("local_id", ID, primary_key=True),
)
Index("ix_collection_members_local", collection_members.c.kind, collection_members.c.local_id)

# TAXII status resources of objects added by partners.
taxii_statuses = Table(
    "taxii_statuses",
    metadata,
    Column("id", ID, primary_key=True),
    Column("collection_id", ID, nullable=False),
    Column("user_id", ID, nullable=False),
    Column("status", String(16), nullable=False),
    Column("request_timestamp", DateTime(timezone=True), nullable=False),
    Column("detail", Text, nullable=False),  # JSON: totals and per-object successes, failures, pendings
)

# Partner instances this one pulls from, and how far it got.
partners = Table(
    "partners",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("name_key", Text, nullable=False, unique=True),
    Column("url", Text, nullable=False),  # the partner's TAXII API root or collection URL
    Column("token", Text, nullable=False),  # the bearer token the partner issued to us
    Column("collection_id", Text),
    Column("cursor", Text),  # X-TAXII-Date-Added-Last of the last page stored
    Column("last_pull_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Append-only, hash-chained: each entry's hash covers its content and the previous entry's hash.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("detail", Text, nullable=False),  # canonical JSON
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_log_at", audit_log.c.at)

# The chain's head, written with every entry: deleting the last entries leaves the head pointing past them.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

# Web UI login sessions. The cookie holds a random token; only its SHA-256 digest is stored, so a copy of
# the database opens no session. Each session carries its own CSRF token for the forms it posts.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
Index("ix_web_sessions_user", web_sessions.c.user_id)
Index("ix_web_sessions_expires_at", web_sessions.c.expires_at)

# Watchlists (``liaison.watching``): what each user follows. ``value`` is what matching uses (a canonical
# entity id, a topic, an ISO country code or normalised place name, a query); the webhook secret signs
# deliveries, so it is kept as given.
watches = Table(
    "watches",
    metadata,
    Column("id", ID, primary_key=True),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("value", Text, nullable=False),
    Column("label", Text, nullable=False),
    Column("min_tlp", String(16)),
    Column("webhook_url", Text),
    Column("webhook_secret", Text),
    Column("email", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_watches_user", watches.c.user_id)

# One alert per (watch, near-duplicate group of a report): its id is a UUIDv5 of both, so a copy or a
# re-ingestion of an alerted report finds the alert already there.
alerts = Table(
    "alerts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("watch_id", ID, ForeignKey("watches.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", ID, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # A stored report, or else a partner's STIX object (received, with no row in ``reports``).
    Column("report_id", ID, ForeignKey("reports.id", ondelete="CASCADE")),
    Column("dedupe_key", ID, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
    Column("stix_id", Text),
    Column("stix_title", Text),  # the received object's name and marking when the alert was raised
    Column("stix_tlp", String(16)),
    Column("received_from", Text),
)
Index("ix_alerts_user", alerts.c.user_id, alerts.c.read_at)
Index("ix_alerts_watch", alerts.c.watch_id)

# What matched, and the words of the report that show it.
alert_matches = Table(
    "alert_matches",
    metadata,
    Column("alert_id", ID, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("target_id", Text),  # a Liaison ID, or a STIX ID for what a partner sent
    Column("label", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("report_id", Text, nullable=False),
)
Index("ix_alert_matches_target", alert_matches.c.target_id)

# The outbox of alert deliveries (webhook, e-mail): retried with back-off until delivered or given up.
alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("id", ID, primary_key=True),
    Column("alert_id", ID, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("channel", String(16), nullable=False),  # webhook | email
    Column("target", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_alert_deliveries_due", alert_deliveries.c.status, alert_deliveries.c.next_attempt_at)
Index("ix_alert_deliveries_alert", alert_deliveries.c.alert_id)
