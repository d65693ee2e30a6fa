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
    dynamic "path_rule" {
      for_each = local.public_functions
      content {
        paths   = ["/${path_rule.key}", "/${path_rule.key}/*"]
        service = google_compute_backend_service.public[path_rule.key].id
      }
    }
    # The policy pages, rendered by the privacy function from the code and settings (shared/web/pages.py).
    dynamic "path_rule" {
      for_each = local.policy_pages
      content {
        paths   = [path_rule.key]
        service = google_compute_backend_service.public["privacy"].id
        route_action {
          url_rewrite {
            path_prefix_rewrite = path_rule.value
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
