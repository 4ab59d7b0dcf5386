from tests.risks.conftest import make_point  # noqa: F401  (risk points built through the service)
