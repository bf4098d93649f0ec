-- PUT a new check-in with a fresh client-made id on every request.
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
wrk.body = '{"recorded_at": "2026-03-10T21:15:00+01:00", "mood": 6, "anxiety": 3, "sleep_hours": 7.5}'
request = function()
  return wrk.format(nil, "/api/v1/entries/" .. uuid())
end
