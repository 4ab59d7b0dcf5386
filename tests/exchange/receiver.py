"""A fake provincial receiver on loopback: a real HTTP server (werkzeug's make_server in a thread) that
applies the documented rules of docs/exchange.md on its own: it decrypts ``datas`` with the enterprise's
AES key (ECB, PKCS7, Base64: written here with the cryptography primitives, not the project's transport),
checks the required fields, the enumerations and that parents arrived first (workflows/exchange.py, the
documented rules), keeps the rows by national id and answers with the receipt.

``down`` answers 503 (an outage); ``lose_receipts`` keeps the rows but answers 502 (the receipt lost on the
way: the sender must send again, and nothing may double); ``refuse_ids`` refuses those rows.
"""

from __future__ import annotations

import base64
import json
import threading
from collections import defaultdict

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from workflows.exchange import DATASETS, row_errors


class FakeProvince:
    def __init__(self, company_code: str, key: str):
        self.company_code, self.key = company_code, key.encode()
        self.rows: dict[tuple[str, str], dict] = {}  # (dataset, id) -> latest row
        self.arrivals: list[tuple[str, str]] = []  # every (dataset, id) that arrived, in order
        self.times = defaultdict(int)  # (dataset, id) -> how many times it arrived
        self.down = False
        self.lose_receipts = False
        self.refuse_ids: set[str] = set()
        self.calls = 0
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=False)
        self.url = f"http://127.0.0.1:{self._server.server_port}/province"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def rows_of(self, dataset: str) -> list[dict]:
        return [row for (d, _), row in self.rows.items() if d == dataset]

    def _decrypt(self, token: str) -> list:
        decryptor = Cipher(algorithms.AES(self.key), modes.ECB()).decryptor()  # noqa: S305
        data = decryptor.update(base64.b64decode(token)) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return json.loads((unpadder.update(data) + unpadder.finalize()).decode())

    def _answer(self, status: int, body: dict) -> Response:
        return Response(json.dumps(body, ensure_ascii=False), status, content_type="application/json")

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        self.calls += 1
        dataset = request.path.rsplit("/", 1)[-1]
        if self.down:
            return self._answer(503, {"code": "503", "msg": "维护中"})(environ, start_response)
        body = request.get_json(silent=True) or {}
        if dataset not in DATASETS or body.get("companyCode") != self.company_code:
            return self._answer(401, {"code": "401", "msg": "企业认证失败"})(environ, start_response)
        try:
            rows = self._decrypt(body.get("datas", ""))
        except ValueError:
            return self._answer(401, {"code": "401", "msg": "解密失败"})(environ, start_response)
        accepted, rejected = [], []
        for row in rows:
            errors = row_errors(dataset, row, lambda d, i: (d, i) in self.rows, self.company_code)
            if row.get("id") in self.refuse_ids:
                errors = {"dangerDesc": "required"}
            if errors:
                rejected.append({"id": row.get("id"), "errors": errors, "msg": json.dumps(errors)})
                continue
            key = (dataset, row["id"])
            self.rows[key] = row
            self.arrivals.append(key)
            self.times[key] += 1
            accepted.append(row["id"])
        if self.lose_receipts:
            return self._answer(502, {"code": "502", "msg": "Bad Gateway"})(environ, start_response)
        receipt = {"code": "200", "msg": "成功", "data": {"accepted": accepted, "rejected": rejected}}
        return self._answer(200, receipt)(environ, start_response)
