"""infra/prefect.yaml is coherent with the code, the image and the compose file's worker.

(`tests/e2e/test_schedule.py` also deploys it with `prefect deploy` on a real Prefect server.)
"""

from __future__ import annotations

import inspect
import re

import yaml
from prefect import Flow
from prefect.client.schemas.schedules import CronSchedule
from prefect.utilities.importtools import import_object

from core.settings import REPO_ROOT

INFRA = REPO_ROOT / "infra"


def prefect_yaml() -> dict:
    return yaml.safe_load((INFRA / "prefect.yaml").read_text())


def test_every_deployment_names_a_flow_its_parameters_and_a_valid_schedule() -> None:
    deployments = prefect_yaml()["deployments"]
    assert deployments
    for deployment in deployments:
        flow = import_object(deployment["entrypoint"])
        assert isinstance(flow, Flow), deployment["name"]
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(deployment["parameters"]) <= accepted, deployment["name"]
        portfolio = deployment["parameters"].get("portfolio")
        if portfolio:
            assert (REPO_ROOT / portfolio).is_file(), portfolio
        for schedule in deployment["schedules"]:
            CronSchedule(cron=schedule["cron"], timezone=schedule.get("timezone", "UTC"))


def test_the_work_pool_is_the_one_the_compose_worker_polls() -> None:
    compose = yaml.safe_load((INFRA / "docker-compose.yml").read_text())
    worker = compose["services"]["worker"]["command"]
    pool = re.search(r"--pool (\S+)", worker)
    assert pool and "--type process" in worker
    for deployment in prefect_yaml()["deployments"]:
        assert deployment["work_pool"]["name"] == pool.group(1)


def test_the_code_is_pulled_from_the_image_working_directory() -> None:
    workdir = re.search(r"^WORKDIR (\S+)", (INFRA / "Dockerfile").read_text(), re.MULTILINE)
    assert workdir
    [step] = prefect_yaml()["pull"]
    assert step["prefect.deployments.steps.set_working_directory"]["directory"] == workdir.group(1)
