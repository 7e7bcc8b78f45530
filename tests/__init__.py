"""Test packages.

Property tests are derandomized by default so a run is reproducible and a
coverage threshold cannot fail by chance in CI; HYPOTHESIS_PROFILE=explore
draws new random cases (run it locally to search for new failures).
"""

import os

import hypothesis

hypothesis.settings.register_profile(
    'reproducible', derandomize=True, deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.register_profile(
    'explore', derandomize=False, deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow])
hypothesis.settings.load_profile(
    'explore' if os.environ.get('HYPOTHESIS_PROFILE') == 'explore'
    else 'reproducible')
