-- The report every scenario ends with (the ceiling's too): setup() keeps the threads,
-- done() prints one JSON line for bench/load.py.

-- setup() runs in wrk's main Lua state, once per thread, before the thread's init().
local threads = {}
function setup(thread)
  thread:set("thread_index", #threads)
  threads[#threads + 1] = thread
end

statuses = {}
function count_status(key)
  statuses[key] = (statuses[key] or 0) + 1
end

function request_id_of(headers)
  return headers["x-request-id"] or headers["X-Request-ID"] or ""
end

-- One line of JSON that bench/load.py reads: wrk's own totals and latency distribution, and
-- the status counts the threads kept (where the script counts them).
function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    if counts then
      for key, n in pairs(counts) do merged[tostring(key)] = (merged[tostring(key)] or 0) + n end
    end
  end
  local parts = {}
  for key, n in pairs(merged) do parts[#parts + 1] = string.format('"%s":%d', key, n) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f},' ..
    '"statuses":{%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ",")
  ))
end
