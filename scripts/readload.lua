-- wrk script for scripts/readload: GETs one path with the header named in
-- AFTERSALES_READ_AUTH ("Name: value"), counts the answers by status (a
-- refusal is not throughput) and prints one line of rate and latency.
local path, name, value
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  local auth = os.getenv("AFTERSALES_READ_AUTH")
  name, value = auth:match("^([^:]+):%s*(.*)$")
  statuses = {}
end

function request()
  return wrk.format("GET", path, { [name] = value })
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
  end
  local counts = {}
  for code, n in pairs(total) do
    table.insert(counts, string.format("%d×%d", n, code))
  end
  io.write(string.format("read %7.1f/s  p50 %6.2f ms  p95 %6.2f ms  p99 %6.2f ms  (%s)\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    table.concat(counts, " ")))
end
