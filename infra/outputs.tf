output "function_urls" {
  description = "Each function's own HTTPS URL; put them behind var.base_url at /<function_name>."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}
