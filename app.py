"""AI Risk Graph: the Streamlit app (router only; each page is a module in ``app_pages/``).

Run with ``streamlit run app.py`` (or ``make run``). Settings come from the environment; see
``app_pages/common.py`` and the README ("The app").
"""

import streamlit as st

from app_pages import common

st.set_page_config(page_title="AI Risk Graph", layout="wide")

HOME = st.Page("app_pages/overview.py", title="Overview", url_path="home", default=True)
PAGES = [
    # The default page lives at "/"; its declared path /overview is a hidden twin that moves to it
    # (so that the sidebar shows Overview as the current page).
    HOME,
    st.Page("app_pages/overview.py", title="Overview", url_path="overview", visibility="hidden"),
    st.Page("app_pages/explore.py", title="Explore", url_path="explore"),
    st.Page("app_pages/coverage.py", title="Coverage", url_path="coverage"),
    st.Page("app_pages/plan.py", title="Plan", url_path="plan"),
    st.Page("app_pages/compare.py", title="Compare", url_path="compare"),
    st.Page("app_pages/practice.py", title="Practice", url_path="practice"),
    st.Page("app_pages/versions.py", title="Versions", url_path="versions"),
    st.Page("app_pages/sparql.py", title="SPARQL", url_path="sparql"),
    st.Page("app_pages/data.py", title="Data & method", url_path="data"),
]

common.begin_run()  # the graph's key, worked out once per run
try:
    page = st.navigation(PAGES)
    if page.url_path == "overview":
        st.switch_page(HOME)
    page.run()
    common.warm_later()  # the page is drawn: prepare what the other pages share
finally:
    common.end_run()
