"""The README's Prometheus configuration and alert rules: valid for promtool, and each alert fires on the
series that should raise it and stays quiet otherwise (`promtool test rules`; skipped where promtool is not
installed: apt-get install prometheus)."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed")


def readme_files(folder: Path) -> tuple[Path, Path]:
    block = re.search(r"```yaml\n# prometheus.yml\n(.*?)```", README.read_text(), re.S)[1]
    config, rules = block.split("# rules.yml\n")
    token = folder / "token"
    token.write_text("secret\n")
    (folder / "prometheus.yml").write_text(re.sub(r"credentials_file: [^\s}]+", f"credentials_file: {token}", config)
                                           + "rule_files: [rules.yml]\n")
    (folder / "rules.yml").write_text(rules)
    return folder / "prometheus.yml", folder / "rules.yml"


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=60)


def test_readme_config_and_rules_are_valid(tmp_path):
    config, rules = readme_files(tmp_path)
    for checked in (promtool("check", "config", str(config)), promtool("check", "rules", str(rules))):
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_alert_fires_when_it_should(tmp_path):
    _config, rules = readme_files(tmp_path)
    host = {"job": "rinaibra", "instance": "web1"}

    def series(name: str, values: str, **labels) -> dict:
        pairs = ",".join(f'{k}="{v}"' for k, v in {**host, **labels}.items())
        return {"series": f"{name}{{{pairs}}}", "values": values}

    summary = {"RinaibraMailPaused": "Mail sending paused for 15 minutes (see /dev/mail for the SMTP reply)",
               "RinaibraErrorSpike": "More than 50 errors in 10 minutes (see /dev/errors)"}
    tests = {"rule_files": [str(rules)], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        "input_series": [
            series("rinaibra_mail_paused", "0x10 1x30 0x80"),  # paused from minute 11 to 41
            series("rinaibra_mail_oldest_due_seconds", "0x45 60+60x60", purpose="notice"),  # stuck from 46
            series("rinaibra_mail_oldest_due_seconds", "4000x100", purpose="bulk"),  # waits for its budget
            series("rinaibra_mail_budget_purpose_left", "5x100", purpose="notice"),
            series("rinaibra_mail_budget_purpose_left", "0x100", purpose="bulk"),
            series("rinaibra_error_occurrences_total", "10x10 20+20x10 220x80", source="web"),  # 200 in 10 min
        ],
        "alert_rule_test": [
            {"eval_time": "20m", "alertname": "RinaibraMailPaused", "exp_alerts": []},  # not yet 15 minutes
            {"eval_time": "30m", "alertname": "RinaibraMailPaused",
             "exp_alerts": [{"exp_labels": {}, "exp_annotations": {"summary": summary["RinaibraMailPaused"]}}]},
            {"eval_time": "80m", "alertname": "RinaibraMailPaused", "exp_alerts": []},
            {"eval_time": "40m", "alertname": "RinaibraMailQueueNotDraining", "exp_alerts": []},  # bulk: no budget
            {"eval_time": "100m", "alertname": "RinaibraMailQueueNotDraining", "exp_alerts": [{
                "exp_labels": {"purpose": "notice"},
                "exp_annotations": {"summary": "notice mail has waited 30 minutes: is a mail worker running?"}}]},
            {"eval_time": "8m", "alertname": "RinaibraErrorSpike", "exp_alerts": []},
            {"eval_time": "18m", "alertname": "RinaibraErrorSpike",
             "exp_alerts": [{"exp_labels": {}, "exp_annotations": {"summary": summary["RinaibraErrorSpike"]}}]},
            {"eval_time": "60m", "alertname": "RinaibraErrorSpike", "exp_alerts": []},
        ],
    }]}
    test_file = tmp_path / "alerts_test.yml"
    test_file.write_text(json.dumps(tests))  # JSON is YAML
    result = promtool("test", "rules", str(test_file))
    assert result.returncode == 0, result.stdout + result.stderr
