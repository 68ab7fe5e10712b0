-- The bench's wrk script (bench/lib/load.ts writes the arguments). Arguments after `--`:
--   <method> <paths separated by ,> <request limit per thread, 0 = none> <name prefix for POST bodies>
-- GET requests rotate through the paths; POST requests create a project with a unique name. At the
-- end, one line `BENCH_RESULT {json}` carries what load.ts reads. Bounded runs (a request limit)
-- get a response() callback appended by load.ts: defining one costs wrk a Lua call per response.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  method = args[1]
  paths = {}
  for candidate in string.gmatch(args[2], "[^,]+") do
    table.insert(paths, candidate)
  end
  limit = tonumber(args[3])
  prefix = args[4]
  sent = 0
  answered = 0
  if method == "POST" then
    wrk.headers["Content-Type"] = "application/json"
  end
end

function request()
  sent = sent + 1
  local path = paths[(sent - 1) % #paths + 1]
  if method == "POST" then
    local body = string.format('{"name":"%s-%d-%d"}', prefix, id, sent)
    return wrk.format("POST", path, nil, body)
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,' ..
    '"writeErrors":%d,"timeouts":%d,"non2xx3xx":%d,"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
