"""A stock Python MCP client (PyPI `mcp`) running the agent's scenario through the sidecar.

The MCP server URL is the server's own; HTTP_PROXY (set by the caller) sends every request to the
sidecar, as an agent's environment would. Approvals go through the Aegis approvals API. Prints one
JSON object with what each step saw, for test/mcp/python-client.test.ts to judge.
"""

import asyncio
import json
import sys
import urllib.request

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

MCP_URL, ADMIN_URL, ADMIN_TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]


def approve(approval_id: str) -> str:
    # The approvals API is on loopback: no proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        f"{ADMIN_URL}/v1/approvals/{approval_id}/approve",
        data=json.dumps({"approver": "alice@acme"}).encode(),
        headers={"authorization": f"Bearer {ADMIN_TOKEN}", "content-type": "application/json"},
        method="POST",
    )
    with opener.open(request) as response:
        return json.loads(response.read())["override_token"]


def seen(result) -> dict:
    return {
        "isError": bool(result.is_error),
        "text": " ".join(getattr(c, "text", "") for c in result.content),
        "structured": result.structured_content,
    }


async def main() -> None:
    out: dict = {}
    async with streamable_http_client(MCP_URL) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            out["tools"] = sorted(t.name for t in (await session.list_tools()).tools)
            out["allowed"] = seen(await session.call_tool("read_document", {"doc": "handbook"}))
            out["not_allowed"] = seen(await session.call_tool("delete_document", {"doc": "handbook"}))
            out["over_limit"] = seen(await session.call_tool("create_payment", {"amount": 5001}))

            pending = seen(await session.call_tool("create_payment", {"amount": 250}))
            out["pending"] = pending
            token = approve(pending["structured"]["approval_id"])
            meta = {"aegis/override_token": token}
            out["with_token"] = seen(await session.call_tool("create_payment", {"amount": 250}, meta=meta))
            out["replay"] = seen(await session.call_tool("create_payment", {"amount": 250}, meta=meta))

            pending = seen(await session.call_tool("create_payment", {"amount": 260}))
            approve(pending["structured"]["approval_id"])
            out["identity_retry"] = seen(await session.call_tool("create_payment", {"amount": 260}))
            out["identity_replay"] = seen(await session.call_tool("create_payment", {"amount": 260}))
            out["identity_first_approval"] = pending["structured"]["approval_id"]
            await session.send_ping()
    print(json.dumps(out))


asyncio.run(main())
