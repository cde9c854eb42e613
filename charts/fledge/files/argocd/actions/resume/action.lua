-- `kubectl fledge resume` as an Argo CD action: the command annotation for the current release.
local revision = (obj.status or {}).lastAppliedSpec or ""
-- The resourceVersion makes two identical actions in the same second two commands.
local nonce = obj.metadata.resourceVersion or ""
obj.metadata.annotations = obj.metadata.annotations or {}
obj.metadata.annotations["fledge.dev/command"] = '{"verb":"resume","revision":"' .. revision .. '","at":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '","nonce":"' .. nonce .. '"}'
return obj
