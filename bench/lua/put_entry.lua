-- PUT a new check-in with a fresh client-made id on every request, on a random day of two
-- years, as a patient's own check-ins fall (a few a day), not thousands on one day.
math.randomseed(os.time())
local function uuid()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
request = function()
  local day = os.date("!%Y-%m-%d", 1704067200 + math.random(0, 729) * 86400)
  local body = string.format(
    '{"recorded_at": "%sT%02d:15:00+01:00", "mood": %d, "anxiety": 3, "sleep_hours": 7.5}',
    day, math.random(6, 22), math.random(0, 10))
  return wrk.format(nil, "/api/v1/entries/" .. uuid(), nil, body)
end
