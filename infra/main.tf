# Kaleno on Google Cloud: functions, queue, scheduler jobs, secrets, Firestore TTLs and indexes, IAM.
# Least privilege: one identity per role, each granted only what its calls need.

locals {
  functions = {
    oauth            = { public = true, memory = "256M" }
    hosts            = { public = true, memory = "256M" }
    bookings         = { public = true, memory = "256M" }
    privacy          = { public = true, memory = "256M" } # its /tasks/erase route checks the tasks identity's OIDC token
    calendar_webhook = { public = true, memory = "256M" } # Google's push cannot authenticate; the channel token is checked
    calendar_sync    = { public = false, memory = "256M" }
    notifications    = { public = false, memory = "256M" } # Kaleno's own mail, from Cloud Tasks
    channel_renewal  = { public = false, memory = "256M" }
    retention_purge  = { public = false, memory = "256M" }
    webhook_delivery = { public = false, memory = "256M" } # hosts' webhook POSTs, from Cloud Tasks
    teams            = { public = true, memory = "256M" }
  }
  app_secrets = ["oauth-client-secret", "channel-token-key", "manage-token-key", "audit-subject-key", "webhook-signing-key"]
  # Each function's own URL: Cloud Run's deterministic run.app address of the service a 2nd-gen function
  # runs as (service name = function name). Cloud Tasks and Cloud Scheduler call the internal functions
  # here, and name it as their OIDC token's audience (shared/config.py target_url); the edge load balancer
  # does not route to them.
  internal_url_template = "https://{name}-${data.google_project.this.number}.${var.region}.run.app"
  env = {
    GOOGLE_CLOUD_PROJECT             = var.project
    KALENO_REGION                    = var.region
    KALENO_BASE_URL                  = var.base_url
    KALENO_INTERNAL_URL_TEMPLATE     = local.internal_url_template
    KALENO_CLIENT_ADDRESS_FROM       = "google-load-balancer" # the edge (edge.tf) appends <client>, <its own address>
    KALENO_OAUTH_CLIENT_ID           = var.oauth_client_id
    KALENO_TASKS_QUEUE               = google_cloud_tasks_queue.calendar_sync.name
    KALENO_WEBHOOKS_QUEUE            = google_cloud_tasks_queue.webhooks.name
    KALENO_TASKS_SERVICE_ACCOUNT     = google_service_account.tasks.email
    KALENO_SCHEDULER_SERVICE_ACCOUNT = google_service_account.scheduler.email
  }
}

# --- Identities -------------------------------------------------------------------------------------
resource "google_service_account" "runtime" {
  account_id   = "kaleno-runtime"
  display_name = "Kaleno functions at run time"
}

resource "google_service_account" "tasks" {
  account_id   = "kaleno-tasks"
  display_name = "Cloud Tasks calling calendar_sync"
}

resource "google_service_account" "scheduler" {
  account_id   = "kaleno-scheduler"
  display_name = "Cloud Scheduler calling channel_renewal and retention_purge"
}

resource "google_project_iam_member" "runtime_firestore" {
  project = var.project
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime.email}"
}

# Host refresh tokens: one secret per host, named host-<id>-google-refresh-token. The runtime may
# manage those secrets only (IAM condition on the name), and read the three app secrets.
resource "google_project_iam_custom_role" "host_secrets" {
  role_id     = "kalenoHostSecrets"
  title       = "Kaleno host token secrets"
  permissions = [
    "secretmanager.secrets.create", "secretmanager.secrets.delete", "secretmanager.secrets.get",
    "secretmanager.versions.add", "secretmanager.versions.access", "secretmanager.versions.destroy",
    "secretmanager.versions.list",
  ]
}

resource "google_project_iam_member" "runtime_host_secrets" {
  project = var.project
  role    = google_project_iam_custom_role.host_secrets.id
  member  = "serviceAccount:${google_service_account.runtime.email}"
  condition {
    title      = "host token secrets only"
    expression = "resource.name.startsWith(\"projects/${data.google_project.this.number}/secrets/host-\")"
  }
}

resource "google_secret_manager_secret_iam_member" "runtime_app_secrets" {
  for_each  = google_secret_manager_secret.app
  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_cloud_tasks_queue_iam_member" "runtime_enqueues" {
  name   = google_cloud_tasks_queue.calendar_sync.name
  role   = "roles/cloudtasks.enqueuer"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

resource "google_cloud_tasks_queue_iam_member" "runtime_enqueues_webhooks" {
  name   = google_cloud_tasks_queue.webhooks.name
  role   = "roles/cloudtasks.enqueuer"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

# Creating a task that carries the tasks identity's OIDC token needs actAs on that identity.
resource "google_service_account_iam_member" "runtime_acts_as_tasks" {
  service_account_id = google_service_account.tasks.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.runtime.email}"
}

data "google_project" "this" {}

# --- Secrets (values: keys generated here, the OAuth client secret added out of band) -----------------
resource "google_secret_manager_secret" "app" {
  for_each  = toset(local.app_secrets)
  secret_id = each.value
  replication {
    user_managed {
      replicas { location = var.region }
    }
  }
}

resource "random_password" "keys" {
  for_each = toset(["channel-token-key", "manage-token-key", "webhook-signing-key"])
  length   = 48
  special  = false
}

resource "google_secret_manager_secret_version" "keys" {
  for_each    = random_password.keys
  secret      = google_secret_manager_secret.app[each.key].id
  secret_data = each.value.result
}

# --- Firestore ----------------------------------------------------------------------------------------
resource "google_firestore_database" "default" {
  name        = "(default)"
  location_id = "nam5" # United States multi-region
  type        = "FIRESTORE_NATIVE"
}

# TTL policies delete short-lived records after expires_at (retention_purge is the deterministic backstop).
resource "google_firestore_field" "ttl" {
  for_each = toset([
    "oauth_states", "sessions", "idempotency", "slot_claims", "consents", "webhook_deliveries",
    "address_proofs", "address_grants", "closed_bookings", "write_places", "spent_proofs", "host_velocity",
    "team_invitations",
  ])
  database   = google_firestore_database.default.name
  collection = each.value
  field      = "expires_at"
  ttl_config {}
}

# Single-use links and their claims go at purge_at: 30 days after a link stopped opening anything (a link
# still open with no expiry has none). Same backstop: retention_purge.
resource "google_firestore_field" "link_ttl" {
  for_each   = toset(["booking_links", "link_claims"])
  database   = google_firestore_database.default.name
  collection = each.value
  field      = "purge_at"
  ttl_config {}
}

# The retention purge finds every host's past months with one collection-group query.
resource "google_firestore_field" "past_months" {
  database   = google_firestore_database.default.name
  collection = "months"
  field      = "ends_at"
  index_config {
    indexes {
      order       = "ASCENDING"
      query_scope = "COLLECTION_GROUP"
    }
  }
}

# The host's booking list (shared/adapters/firestore/bookings.py of_host): the host among the booking's
# holders (array_contains on holder_ids: a collective team booking is each member's), and optionally
# status and event type; ordered by end then id, ascending (upcoming) or descending (past).
locals {
  host_booking_filters = {
    all             = []
    by_status       = ["status"]
    by_type         = ["event_type_id"]
    by_status_type  = ["status", "event_type_id"]
    by_team         = ["team_id"] # a member's own team bookings (of_team with a holder)
  }
  host_booking_indexes = merge([
    for name, filters in local.host_booking_filters : {
      for direction in ["ASCENDING", "DESCENDING"] : "${name}_${lower(direction)}" => {
        filters   = filters
        direction = direction
      }
    }
  ]...)
}

resource "google_firestore_index" "host_bookings" {
  for_each   = local.host_booking_indexes
  database   = google_firestore_database.default.name
  collection = "bookings"
  fields {
    field_path   = "holder_ids"
    array_config = "CONTAINS"
  }
  dynamic "fields" {
    for_each = each.value.filters
    content {
      field_path = fields.value
      order      = "ASCENDING"
    }
  }
  fields {
    field_path = "end"
    order      = each.value.direction
  }
  fields {
    field_path = "__name__"
    order      = each.value.direction
  }
}

# A team's bookings (shared/adapters/firestore/bookings.py of_team): all of them (one member's: by_team above).
locals {
  team_booking_indexes = merge([
    for name, fields in { all = ["team_id"] } : {
      for direction in ["ASCENDING", "DESCENDING"] : "${name}_${lower(direction)}" => {
        fields    = fields
        direction = direction
      }
    }
  ]...)
}

resource "google_firestore_index" "team_bookings" {
  for_each   = local.team_booking_indexes
  database   = google_firestore_database.default.name
  collection = "bookings"
  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value
      order      = "ASCENDING"
    }
  }
  fields {
    field_path = "end"
    order      = each.value.direction
  }
  fields {
    field_path = "__name__"
    order      = each.value.direction
  }
}

resource "google_firestore_index" "pending_syncs" {
  database   = google_firestore_database.default.name
  collection = "bookings"
  fields {
    field_path = "sync_state"
    order      = "ASCENDING"
  }
  fields {
    field_path = "updated_at"
    order      = "ASCENDING"
  }
}

# A webhook endpoint's delivery log, latest first (shared/adapters/firestore/webhooks.py of_endpoint).
resource "google_firestore_index" "webhook_deliveries" {
  database   = google_firestore_database.default.name
  collection = "webhook_deliveries"
  fields {
    field_path = "endpoint_id"
    order      = "ASCENDING"
  }
  fields {
    field_path = "created_at"
    order      = "DESCENDING"
  }
  fields {
    field_path = "__name__"
    order      = "DESCENDING"
  }
}

# --- Functions (2nd gen, HTTPS only) -------------------------------------------------------------------
data "archive_file" "source" {
  type        = "zip"
  output_path = "${path.module}/.build/kaleno-source.zip"
  source {
    content  = file("${path.module}/../functions/main.py")
    filename = "main.py" # Cloud Functions loads main.py from the source root
  }
  source {
    content  = file("${path.module}/../requirements.txt")
    filename = "requirements.txt"
  }
  dynamic "source" {
    # Python, and the page templates the privacy function renders (shared/web/templates).
    for_each = setunion(
      fileset("${path.module}/..", "functions/*.py"),
      fileset("${path.module}/..", "shared/**/*.py"),
      fileset("${path.module}/..", "shared/web/templates/*.html"),
      fileset("${path.module}/..", "shared/templates/**"), # the mail templates (shared/services/messages.py)
    )
    content {
      content  = file("${path.module}/../${source.value}")
      filename = source.value
    }
  }
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:Holds only the deploy zip of this repository's source (no personal data); the deploy identity is its only reader, and Cloud Audit Logs already record admin access.
  #checkov:skip=CKV_GCP_78:Objects are named by the zip's MD5 and never overwritten, so there is no earlier version to keep.
  name                        = "${var.project}-kaleno-source"
  location                    = "US"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
}

resource "google_storage_bucket_object" "source" {
  name   = "kaleno-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions
  name     = replace(each.key, "_", "-")
  location = var.region

  build_config {
    runtime     = "python311"
    entry_point = each.key
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory               = each.value.memory
    timeout_seconds                = 60
    max_instance_count             = 20
    service_account_email          = google_service_account.runtime.email
    # Network ingress. Internal functions (calendar_sync, notifications, channel_renewal, retention_purge): internal only.
    # For a 2nd-gen function (a Cloud Run service) requests from Cloud Tasks and Cloud Scheduler in the same
    # project count as internal when they call the function's own run.app URL, as they do here (Cloud Run's
    # "Restrict network ingress": Internal allows those products; 1st-gen functions did not); nothing on the
    # internet, the edge load balancer included, reaches them, and IAM still admits only the tasks and
    # scheduler identities. Public functions: internal and Cloud Load Balancing, so the internet comes in
    # through the edge (edge.tf) and its Cloud Armor limits only, never around them at the run.app URL;
    # Cloud Tasks still reaches privacy's /tasks/erase there as internal traffic.
    ingress_settings               = each.value.public ? "ALLOW_INTERNAL_AND_GCLB" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    environment_variables          = local.env
  }
}

# Public functions: anyone may invoke (each checks its own session, manage token or channel token).
resource "google_cloud_run_service_iam_member" "public" {
  #checkov:skip=CKV_GCP_102:The public API by design (booking pages, sign-in, Google's push): each function authenticates its own callers (session, manage token, channel token), and ingress admits only the edge load balancer with its Cloud Armor limits.
  for_each = { for name, fn in local.functions : name => fn if fn.public }
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_service_iam_member" "tasks_invoke_sync" {
  for_each = toset(["calendar_sync", "notifications"])
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.tasks.email}"
}

resource "google_cloud_run_service_iam_member" "tasks_invoke_webhooks" {
  location = var.region
  service  = google_cloudfunctions2_function.fn["webhook_delivery"].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.tasks.email}"
}

resource "google_cloud_run_service_iam_member" "scheduler_invokes" {
  for_each = toset(["channel_renewal", "retention_purge"])
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

# --- Cloud Tasks -----------------------------------------------------------------------------------------
resource "google_cloud_tasks_queue" "calendar_sync" {
  name     = "calendar-sync"
  location = var.region
  rate_limits {
    max_dispatches_per_second = 50 # well inside Calendar API per-user quotas
    max_concurrent_dispatches = 20
  }
  retry_config {
    max_attempts  = 20
    min_backoff   = "1s"
    max_backoff   = "300s"
    max_doublings = 6
  }
}

# Webhook deliveries: their own queue, so a slow or failing receiver never delays calendar sync. Eight
# attempts over about two hours (1, 2, 4 ... 32, 60 minutes apart); the last one marks the delivery failed
# (Settings.webhooks_max_attempts). A receiver's Retry-After can lengthen a wait.
resource "google_cloud_tasks_queue" "webhooks" {
  name     = "webhooks"
  location = var.region
  rate_limits {
    max_dispatches_per_second = 50
    max_concurrent_dispatches = 50 # each waits at most 10 s for its receiver
  }
  retry_config {
    max_attempts  = 8
    min_backoff   = "60s"
    max_backoff   = "3600s"
    max_doublings = 6
  }
}

# --- Cloud Scheduler -----------------------------------------------------------------------------------
resource "google_cloud_scheduler_job" "sweep" {
  for_each = {
    channel_renewal = "17 * * * *" # hourly: channels live 7 days and are renewed 24 h ahead
    retention_purge = "43 3 * * *" # daily
  }
  name      = replace(each.key, "_", "-")
  region    = var.region
  schedule  = each.value
  time_zone = "Etc/UTC"
  http_target {
    http_method = "POST"
    uri         = replace(local.internal_url_template, "{name}", replace(each.key, "_", "-"))
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = replace(local.internal_url_template, "{name}", replace(each.key, "_", "-"))
    }
  }
  retry_config {
    retry_count = 3
  }
}

# Policy changes are told: daily, a walk over every host that Cloud Tasks carries on a page at a time, mailing
# each host not yet told about a significant change once (shared/services/policy_notices.py). The privacy
# function is public, so no invoker grant is needed; its route checks the scheduler's (or tasks') OIDC token,
# whose audience is the function's own URL.
resource "google_cloud_scheduler_job" "policy_notices" {
  name      = "policy-notices"
  region    = var.region
  schedule  = "13 9 * * *" # daily
  time_zone = "Etc/UTC"
  http_target {
    http_method = "POST"
    uri         = "${replace(local.internal_url_template, "{name}", "privacy")}/tasks/policy-notices"
    body        = base64encode("{}")
    headers = {
      "Content-Type" = "application/json"
    }
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = replace(local.internal_url_template, "{name}", "privacy")
    }
  }
  retry_config {
    retry_count = 3
  }
}
