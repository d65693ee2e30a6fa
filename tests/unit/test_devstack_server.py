"""The local stack serves the functions as deployed: functions-framework's gunicorn, infra/'s concurrency."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest
from flask import Flask
from gunicorn.workers.gthread import ThreadWorker  # type: ignore[import-untyped]

from devstack.app import build_app
from devstack.serve import INSTANCE_CONCURRENCY, MAX_INSTANCES, gunicorn_options, server_settings
from devstack.worker import ArrivalStampingWorker

MAIN_TF = Path(__file__).resolve().parents[2] / "infra" / "main.tf"


def deployed_service_config() -> dict[str, Any]:
    with MAIN_TF.open() as handle:
        parsed = hcl2.load(handle)
    for block in parsed["resource"]:
        for kind, named in block.items():
            if kind.strip('"') == "google_cloudfunctions2_function":
                config: dict[str, Any] = named['"fn"']["service_config"][0]
                return config
    raise AssertionError("no google_cloudfunctions2_function in infra/main.tf")


def test_instances_and_their_concurrency_are_those_deployed() -> None:
    config = deployed_service_config()

    # Unset, Cloud Functions sends an instance one request at a time.
    assert config.get("max_instance_request_concurrency", 1) == INSTANCE_CONCURRENCY
    assert config["max_instance_count"] == MAX_INSTANCES


def test_each_worker_is_an_instance_serving_one_request_at_a_time_on_kept_alive_connections() -> None:
    settings = server_settings({})

    assert settings == {"WORKERS": str(MAX_INSTANCES), "THREADS": str(INSTANCE_CONCURRENCY)}
    # gthread (the sync worker would close every connection), answering gunicorn's own refusals as problem+json
    # and telling each request when it reached its worker
    worker = gunicorn_options()["worker_class"]
    assert isinstance(worker, type)
    assert issubclass(worker, ArrivalStampingWorker)
    assert issubclass(worker, ThreadWorker)
    assert int(str(gunicorn_options()["keepalive"])) > 600  # outlives Google's front end's idle connections


@pytest.mark.parametrize("instances", ["0", "21"])
def test_more_instances_than_deployed_are_refused(instances: str) -> None:
    with pytest.raises(ValueError, match="KALENO_INSTANCES"):
        server_settings({"KALENO_INSTANCES": instances})


def test_the_app_is_a_flask_app_so_functions_framework_serves_it_with_gunicorn() -> None:
    from functions_framework._http import create_server
    from functions_framework._http.gunicorn import GunicornApplication

    server = create_server(build_app(), debug=False, **gunicorn_options())

    assert isinstance(build_app(), Flask)
    assert server.server_class is GunicornApplication
