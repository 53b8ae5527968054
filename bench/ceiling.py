"""The ceiling: the least a FastAPI endpoint can do, served the way Team Notes is.

`teamnotes serve` runs uvicorn with the same arguments as `main()` below (workers,
no uvicorn access log, no server header, uvloop and httptools from uvicorn[standard]).
Every scenario of the benchmark is reported as a fraction of this endpoint's
throughput, measured in the same run on the same machine.

    python bench/ceiling.py --port 8001 --workers 2
"""

import argparse
from pathlib import Path

import uvicorn
from fastapi import FastAPI

app = FastAPI()


@app.get("/ceiling")
async def ceiling() -> dict[str, str]:
    return {"status": "ok", "service": "ceiling"}


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ready"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "ceiling:app",
        app_dir=str(Path(__file__).parent),
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
