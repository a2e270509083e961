"""Gap drill-down: every check of one gap with its result, metric against thresholds and evidence."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.app_pages._common import choose_project
from dashboard.labels import GAP_LABELS, RESULT_LABELS, gap_label

st.title("Gap drill-down")
rec = choose_project()
gap = st.selectbox("Gap", list(GAP_LABELS), format_func=gap_label)
checks = queries.check_results(rec["run_id"], rec["project_id"], gap)
st.caption(f"{rec['project_name']} · {gap_label(gap)} · run {rec['run_id']}")
for row in queries.records(checks):
    sign = ">=" if row["direction"] == "higher_is_better" else "<="
    metric = "no evidence" if pd.isna(row["metric"]) else f"{row['metric']:.3g}"
    with st.container(border=True):
        st.markdown(
            f"**{RESULT_LABELS[row['result']]} · {row['title']}**"
            f" (`{row['check_id']}`, {row['severity']})"
        )
        st.write(
            f"Measured {metric}: {row['unit']}. Pass {sign} {row['pass_threshold']:g}, "
            f"partial {sign} {row['partial_threshold']:g}."
        )
        if row["result"] != "pass":
            st.write(f"Remediation: {row['remediation']} (owner: {row['owner_role']})")
        if isinstance(row["evidence"], str):
            with st.expander("Evidence"):
                st.json(json.loads(row["evidence"]))
