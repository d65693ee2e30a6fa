variable "project" {
  description = "Google Cloud project id."
  type        = string
}

variable "region" {
  description = "Where everything runs: a US region (our privacy policy says we host in the US)."
  type        = string
  default     = "us-central1"
  validation {
    condition     = startswith(var.region, "us-")
    error_message = "Kaleno is hosted in the US: choose a us-* region."
  }
}

variable "base_url" {
  description = "HTTPS base URL in front of the functions (each function under /<name>), e.g. https://api.kaleno.app."
  type        = string
  validation {
    condition     = startswith(var.base_url, "https://")
    error_message = "HTTPS only."
  }
}

variable "oauth_client_id" {
  description = "OAuth 2.0 web client id (its secret is added to the oauth-client-secret secret out of band)."
  type        = string
}
