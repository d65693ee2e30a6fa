# --- Edge: one HTTPS load balancer in front of the public functions, with Cloud Armor ---------------------
# Per-client request limits hold across every instance here, before a request reaches a function. The
# functions apply the same limits per instance (shared/web/rate_limit.py) and count booking writes across
# instances in Firestore, reading the client address where the load balancer puts it in X-Forwarded-For:
# second to last, before its own (KALENO_CLIENT_ADDRESS_FROM=google-load-balancer). The same numbers live in
# shared/config.py (client_limits); tests/unit/test_infra_edge.py keeps them in step.

locals {
  public_functions = { for name, fn in local.functions : name => fn if fn.public }
  domain           = trimsuffix(trimprefix(var.base_url, "https://"), "/")
  policy_pages     = { "/privacy-policy" = "/privacy/policy", "/cookie-policy" = "/privacy/cookie-policy" }
  # The web client's pages, rendered per request by the bookings function from one layout (shared/web/pages.py)
  # rather than uploaded as files: the host's and the booking page are to carry their title and link preview
  # in the HTML (crawlers run no script), which only the function that reads those pages can write. Public
  # address (a URL-map path template) -> the route that renders it, tried in this order (priority).
  client_pages = {
    "/"                      = { route = "/bookings/html/dashboard", priority = 300 }
    "/dashboard"             = { route = "/bookings/html/dashboard", priority = 301 }
    "/dashboard/{section=*}" = { route = "/bookings/html/dashboard/{section}", priority = 302 }
    "/manage"                = { route = "/bookings/html/manage", priority = 303 }
    "/privacy-rights"        = { route = "/bookings/html/privacy-rights", priority = 304 }
    "/{host=*}/{type=*}"     = { route = "/bookings/html/book/{host}/{type}", priority = 390 }
    "/{host=*}"              = { route = "/bookings/html/host/{host}", priority = 391 }
  }
  # The web client's files (web/), served from a bucket under /web/ with the pages' own headers.
  web_files = fileset("${path.module}/../web", "**/*.{css,js}")
  web_headers = [
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    "Referrer-Policy: same-origin",
    "X-Content-Type-Options: nosniff",
    "Strict-Transport-Security: max-age=63072000; includeSubDomains; preload",
  ]
  # kind -> (requests, per seconds, the requests it covers), as in shared/config.py client_limits.
  client_limits = {
    booking-writes = {
      count      = 10
      interval   = 60
      expression = "request.path.startsWith('/bookings') && request.method != 'GET'"
      priority   = 1000
    }
    public-reads = {
      count      = 300
      interval   = 60
      expression = "request.path.startsWith('/bookings/pages/') && request.method == 'GET'"
      priority   = 1010
    }
    invitation-writes = {
      count      = 10
      interval   = 60
      expression = "request.path.startsWith('/teams/') && request.path.endsWith('/invitations') && request.method == 'POST'"
      priority   = 1020
    }
  }
}

resource "google_compute_security_policy" "edge" {
  #checkov:skip=CKV_GCP_73:No Java behind this edge (the functions are Python), so Log4j lookups reach nothing that would evaluate them.
  name        = "kaleno-edge"
  description = "Per-client rate limits for the public booking API."

  dynamic "rule" {
    for_each = local.client_limits
    content {
      action      = "throttle"
      priority    = rule.value.priority
      description = "${rule.key}: ${rule.value.count} requests per ${rule.value.interval} s per client"
      match {
        expr {
          expression = rule.value.expression
        }
      }
      rate_limit_options {
        conform_action = "allow"
        exceed_action  = "deny(429)"
        enforce_on_key = "IP"
        rate_limit_threshold {
          count        = rule.value.count
          interval_sec = rule.value.interval
        }
      }
    }
  }

  rule {
    action      = "allow"
    priority    = 2147483647
    description = "Everything else: allowed (each function checks its own caller)."
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}

resource "google_compute_region_network_endpoint_group" "public" {
  for_each              = local.public_functions
  name                  = "kaleno-${replace(each.key, "_", "-")}"
  region                = var.region
  network_endpoint_type = "SERVERLESS"
  cloud_run {
    service = google_cloudfunctions2_function.fn[each.key].service_config[0].service
  }
}

resource "google_compute_backend_service" "public" {
  for_each              = local.public_functions
  name                  = "kaleno-${replace(each.key, "_", "-")}"
  protocol              = "HTTPS"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  security_policy       = google_compute_security_policy.edge.id
  # HSTS on every answer through the edge, preload-ready; the functions send the same (shared/web/endpoints.py
  # HSTS) whenever KALENO_BASE_URL is https, and tests/unit/test_infra_edge.py keeps the two equal.
  custom_response_headers = ["Strict-Transport-Security: max-age=63072000; includeSubDomains; preload"]
  log_config {
    enable      = true
    sample_rate = 1.0
  }
  backend {
    group = google_compute_region_network_endpoint_group.public[each.key].id
  }
}

# The web client's stylesheet and modules: public by nature (every page loads them), revalidated by ETag
# (`no-cache`) so a deploy shows at once, cached at the edge.
resource "google_storage_bucket" "web" {
  #checkov:skip=CKV_GCP_62:Holds only the web client's public files (web/), which every visitor downloads; the edge's request log records access.
  #checkov:skip=CKV_GCP_78:Each deploy uploads the repository's files again; the repository keeps their versions.
  #checkov:skip=CKV_GCP_114:Public on purpose: the edge serves these files to every visitor (no personal data).
  name                        = "${var.project}-kaleno-web"
  location                    = "US"
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
}

resource "google_storage_bucket_object" "web" {
  for_each      = local.web_files
  name          = "web/${each.value}"
  bucket        = google_storage_bucket.web.name
  source        = "${path.module}/../web/${each.value}"
  content_type  = endswith(each.value, ".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"
  cache_control = "no-cache"
}

resource "google_storage_bucket_iam_member" "web_readable" {
  #checkov:skip=CKV_GCP_28:The web client's files are public on purpose: every page loads them.
  bucket = google_storage_bucket.web.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_compute_backend_bucket" "web" {
  name                    = "kaleno-web"
  bucket_name             = google_storage_bucket.web.name
  enable_cdn              = true
  compression_mode        = "AUTOMATIC"
  custom_response_headers = local.web_headers
}

resource "google_compute_url_map" "edge" {
  name            = "kaleno-edge"
  default_service = google_compute_backend_service.public["bookings"].id
  host_rule {
    hosts        = [local.domain]
    path_matcher = "functions"
  }
  path_matcher {
    name            = "functions"
    default_service = google_compute_backend_service.public["bookings"].id
    route_rules {
      priority = 10
      service  = google_compute_backend_bucket.web.id
      match_rules {
        prefix_match = "/web/"
      }
    }
    # The embed script other sites load (web/js/embed.js), at the short address its snippets name.
    route_rules {
      priority = 11
      service  = google_compute_backend_bucket.web.id
      match_rules {
        full_path_match = "/embed.js"
      }
      route_action {
        url_rewrite {
          path_prefix_rewrite = "/web/js/embed.js"
        }
      }
    }
    # Each public function at /<name> and below, as the local stack mounts them (devstack/app.py).
    dynamic "route_rules" {
      for_each = { for index, name in sort(keys(local.public_functions)) : name => index }
      content {
        priority = 100 + route_rules.value
        service  = google_compute_backend_service.public[route_rules.key].id
        match_rules {
          full_path_match = "/${route_rules.key}"
        }
        match_rules {
          prefix_match = "/${route_rules.key}/"
        }
      }
    }
    # The policy pages, rendered by the privacy function from the code and settings (shared/web/pages.py).
    dynamic "route_rules" {
      for_each = { for index, page in sort(keys(local.policy_pages)) : page => index }
      content {
        priority = 200 + route_rules.value
        service  = google_compute_backend_service.public["privacy"].id
        match_rules {
          full_path_match = route_rules.key
        }
        route_action {
          url_rewrite {
            path_prefix_rewrite = local.policy_pages[route_rules.key]
          }
        }
      }
    }
    # The web client's pages (local.client_pages): a fixed address is replaced whole, a templated one keeps
    # its slugs.
    dynamic "route_rules" {
      for_each = local.client_pages
      content {
        priority = route_rules.value.priority
        service  = google_compute_backend_service.public["bookings"].id
        match_rules {
          full_path_match     = strcontains(route_rules.key, "{") ? null : route_rules.key
          path_template_match = strcontains(route_rules.key, "{") ? route_rules.key : null
        }
        route_action {
          url_rewrite {
            path_prefix_rewrite   = strcontains(route_rules.key, "{") ? null : route_rules.value.route
            path_template_rewrite = strcontains(route_rules.key, "{") ? route_rules.value.route : null
          }
        }
      }
    }
  }
}

resource "google_compute_managed_ssl_certificate" "edge" {
  name = "kaleno-edge"
  managed {
    domains = [local.domain]
  }
}

resource "google_compute_ssl_policy" "edge" {
  name            = "kaleno-edge"
  profile         = "MODERN"
  min_tls_version = "TLS_1_2"
}

resource "google_compute_target_https_proxy" "edge" {
  name             = "kaleno-edge"
  url_map          = google_compute_url_map.edge.id
  ssl_certificates = [google_compute_managed_ssl_certificate.edge.id]
  ssl_policy       = google_compute_ssl_policy.edge.id
}

resource "google_compute_global_forwarding_rule" "edge" {
  name                  = "kaleno-edge"
  target                = google_compute_target_https_proxy.edge.id
  port_range            = "443"
  load_balancing_scheme = "EXTERNAL_MANAGED"
}
