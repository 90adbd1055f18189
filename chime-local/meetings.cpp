// Meetings and attendees: chime-sdk-meetings, and the `chime` service's routes of the same operations
// (plus its ListMeetings). Documents: "meeting/<id>", "attendee/<meeting>/<id>". Deleting a meeting
// deletes its attendees.

#include "chime-local/state.hpp"

#include <chime/classic/model_json.hpp>
#include <chime/meetings/model_json.hpp>

#include <algorithm>
#include <variant>

namespace chime::local {
namespace json = boost::json;
namespace mt = chime::meetings;

namespace {

constexpr std::size_t max_attendees = 250;

mt::meeting meeting(const store& s, const std::string& id) {
    auto m = get_doc<mt::meeting>(s, "meeting/" + id);
    if (!m)
        throw not_found("The meeting " + id + " does not exist or has ended");
    return *m;
}

mt::media_placement placement(const std::string& id, const std::string& region) {
    const std::string r = region == "us-east-1" ? "ue1" : region;
    return {.audio_host_url = id.substr(0, 8) + ".k.m1." + r + ".app.chime.aws:3478",
            .audio_fallback_url = "wss://haxrp.m1." + r + ".app.chime.aws:443/calls/" + id,
            .signaling_url = "wss://signal.m1." + r + ".app.chime.aws/control/" + id,
            .turn_control_url = "https://2713.cell." + region + ".meetings.chime.aws/v2/turn_sessions",
            .screen_data_url = "wss://bitpw.m1." + r + ".app.chime.aws:443/v2/screen/" + id,
            .screen_viewing_url = "wss://bitpw.m1." + r + ".app.chime.aws:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=" + id,
            .screen_sharing_url = "wss://bitpw.m1." + r + ".app.chime.aws:443/v2/screen/" + id,
            .event_ingestion_url = "https://data.svc." + r + ".ingest.chime.aws/v1/client-events"};
}

// An attendee for `external_user_id`, or the reason it cannot be one.
std::variant<mt::attendee, mt::create_attendee_error> new_attendee(store& s, const std::string& meeting_id,
                                                                   const mt::create_attendee_request_item& item) {
    if (item.external_user_id.size() < 2 || item.external_user_id.size() > 64)
        return mt::create_attendee_error{.external_user_id = item.external_user_id, .error_code = "BadRequest",
                                         .error_message = "ExternalUserId must be 2 to 64 characters"};
    for (const auto& a : docs_with_prefix<mt::attendee>(s, "attendee/" + meeting_id + "/"))
        if (a.external_user_id == item.external_user_id) // the same person joining again gets the same attendee
            return a;
    if (docs_with_prefix<mt::attendee>(s, "attendee/" + meeting_id + "/").size() >= max_attendees)
        return mt::create_attendee_error{.external_user_id = item.external_user_id, .error_code = "ResourceLimitExceeded",
                                         .error_message = "The meeting has the maximum number of attendees"};
    const std::string id = s.uuid_v4();
    mt::attendee a{.external_user_id = item.external_user_id, .attendee_id = id,
                   .join_token = s.uuid_v4() + s.uuid_v4(), .capabilities = item.capabilities};
    put_doc(s, "attendee/" + meeting_id + "/" + id, a);
    return a;
}

mt::meeting make_meeting(store& s, call& c, const std::string& region, const std::optional<std::string>& host,
                         const std::string& external, const std::optional<std::vector<mt::tag>>& tags) {
    // MediaRegion and ExternalMeetingId are required by chime-sdk-meetings but not by the `chime` service,
    // whose CreateMeeting has the same route: both forms are accepted (the clients check their own).
    const std::string id = s.uuid_v4();
    mt::meeting m{.meeting_id = id, .meeting_host_id = host,
                  .external_meeting_id = external.empty() ? std::nullopt : std::optional<std::string>(external),
                  .media_region = region.empty() ? "us-east-1" : region, .media_placement = placement(id, region.empty() ? "us-east-1" : region),
                  .meeting_features = std::nullopt, .primary_meeting_id = std::nullopt, .tenant_ids = std::nullopt,
                  .meeting_arn = make_arn(s, c, "meeting/" + id)};
    put_doc(s, "meeting/" + id, m);
    for (const auto& t : tags.value_or(std::vector<mt::tag>{}))
        s.tags[*m.meeting_arn][t.key] = t.value;
    return m;
}

json::value create_meeting(store& s, call& c) {
    const auto req = parse<mt::create_meeting_request>(c); // the `chime` form has the same members, fewer required
    return to_value(mt::create_meeting_response{
        .meeting = make_meeting(s, c, req.media_region, req.meeting_host_id, req.external_meeting_id, req.tags)});
}

json::value create_meeting_with_attendees(store& s, call& c) {
    const auto req = parse<mt::create_meeting_with_attendees_request>(c);
    if (req.attendees.empty() || req.attendees.size() > 10)
        throw bad_request("Attendees must have 1 to 10 items");
    mt::create_meeting_with_attendees_response out;
    out.meeting = make_meeting(s, c, req.media_region, req.meeting_host_id, req.external_meeting_id, req.tags);
    out.attendees.emplace();
    out.errors.emplace();
    for (const auto& item : req.attendees) {
        auto r = new_attendee(s, *out.meeting->meeting_id, item);
        if (auto* a = std::get_if<mt::attendee>(&r))
            out.attendees->push_back(std::move(*a));
        else
            out.errors->push_back(std::get<mt::create_attendee_error>(r));
    }
    return to_value(out);
}

json::value get_meeting(store& s, call& c) {
    return to_value(mt::get_meeting_response{.meeting = meeting(s, parse<mt::get_meeting_request>(c).meeting_id)});
}

json::value delete_meeting(store& s, call& c) {
    const std::string id = parse<mt::delete_meeting_request>(c).meeting_id;
    const auto m = meeting(s, id);
    erase_prefix(s, "attendee/" + id + "/");
    s.generic.erase("meeting/" + id);
    s.generic.erase("transcribing/" + id);
    s.tags.erase(*m.meeting_arn);
    return json::object();
}

json::value list_meetings(store& s, call& c) {
    // Only the `chime` service has it; its Meeting shape is a subset of this one.
    const auto req = parse<classic::list_meetings_request>(c);
    const auto p = page_of(c, req.max_results, req.next_token, 100, 100);
    const auto found = docs_with_prefix<mt::meeting>(s, "meeting/");
    json::array meetings;
    for (const auto& m : slice<mt::meeting>(found, p, [](const mt::meeting& m) { return m; }))
        meetings.push_back(to_value(m));
    json::object out{{"Meetings", std::move(meetings)}};
    if (auto next = next_token_after(c, p, found.size()))
        out["NextToken"] = *next;
    return out;
}

json::value create_attendee(store& s, call& c) {
    const auto req = parse<mt::create_attendee_request>(c);
    meeting(s, req.meeting_id);
    auto r = new_attendee(s, req.meeting_id, {.external_user_id = req.external_user_id, .capabilities = req.capabilities});
    if (auto* e = std::get_if<mt::create_attendee_error>(&r))
        throw api_error(400, *e->error_code == "BadRequest" ? "BadRequestException" : "LimitExceededException",
                        *e->error_message);
    return to_value(mt::create_attendee_response{.attendee = std::get<mt::attendee>(r)});
}

json::value batch_create_attendee(store& s, call& c) {
    const auto req = parse<mt::batch_create_attendee_request>(c);
    meeting(s, req.meeting_id);
    if (req.attendees.empty() || req.attendees.size() > 100)
        throw bad_request("Attendees must have 1 to 100 items");
    mt::batch_create_attendee_response out;
    out.attendees.emplace();
    out.errors.emplace();
    for (const auto& item : req.attendees) { // partial failure: good items are created
        auto r = new_attendee(s, req.meeting_id, item);
        if (auto* a = std::get_if<mt::attendee>(&r))
            out.attendees->push_back(std::move(*a));
        else
            out.errors->push_back(std::get<mt::create_attendee_error>(r));
    }
    return to_value(out);
}

json::value get_attendee(store& s, call& c) {
    const auto req = parse<mt::get_attendee_request>(c);
    meeting(s, req.meeting_id);
    auto a = get_doc<mt::attendee>(s, "attendee/" + req.meeting_id + "/" + req.attendee_id);
    if (!a)
        throw not_found("Attendee " + req.attendee_id + " is not in meeting " + req.meeting_id);
    return to_value(mt::get_attendee_response{.attendee = *a});
}

json::value delete_attendee(store& s, call& c) {
    const auto req = parse<mt::delete_attendee_request>(c);
    meeting(s, req.meeting_id);
    if (s.generic.erase("attendee/" + req.meeting_id + "/" + req.attendee_id) == 0)
        throw not_found("Attendee " + req.attendee_id + " is not in meeting " + req.meeting_id);
    return json::object();
}

json::value list_attendees(store& s, call& c) {
    const auto req = parse<mt::list_attendees_request>(c);
    meeting(s, req.meeting_id);
    const auto p = page_of(c, req.max_results, req.next_token, 100, 100);
    const auto found = docs_with_prefix<mt::attendee>(s, "attendee/" + req.meeting_id + "/");
    mt::list_attendees_response out;
    out.attendees = slice<mt::attendee>(found, p, [](const mt::attendee& a) { return a; });
    out.next_token = next_token_after(c, p, found.size());
    return to_value(out);
}

json::value update_attendee_capabilities(store& s, call& c) {
    const auto req = parse<mt::update_attendee_capabilities_request>(c);
    meeting(s, req.meeting_id);
    const std::string key = "attendee/" + req.meeting_id + "/" + req.attendee_id;
    auto a = get_doc<mt::attendee>(s, key);
    if (!a)
        throw not_found("Attendee " + req.attendee_id + " is not in meeting " + req.meeting_id);
    a->capabilities = req.capabilities;
    put_doc(s, key, *a);
    return to_value(mt::update_attendee_capabilities_response{.attendee = *a});
}

json::value batch_update_attendee_capabilities_except(store& s, call& c) {
    const auto req = parse<mt::batch_update_attendee_capabilities_except_request>(c);
    meeting(s, req.meeting_id);
    for (auto& a : docs_with_prefix<mt::attendee>(s, "attendee/" + req.meeting_id + "/")) {
        if (std::ranges::any_of(req.excluded_attendee_ids, [&](const mt::attendee_id_item& x) { return x.attendee_id == a.attendee_id; }))
            continue;
        a.capabilities = req.capabilities;
        put_doc(s, "attendee/" + req.meeting_id + "/" + *a.attendee_id, a);
    }
    return json::object();
}

// Transcription is recorded as a flag on the meeting; no transcript is produced.
json::value start_meeting_transcription(store& s, call& c) {
    const auto req = parse<mt::start_meeting_transcription_request>(c);
    meeting(s, req.meeting_id);
    s.generic["transcribing/" + req.meeting_id] = to_value(req.transcription_configuration);
    return json::object();
}

json::value stop_meeting_transcription(store& s, call& c) {
    const auto req = parse<mt::stop_meeting_transcription_request>(c);
    meeting(s, req.meeting_id);
    if (s.generic.erase("transcribing/" + req.meeting_id) == 0)
        throw not_found("Meeting " + req.meeting_id + " has no transcription running");
    return json::object();
}

} // namespace

void register_meetings(store& s) {
    s.register_handler("UpdateAttendeeCapabilities", update_attendee_capabilities);
    s.register_handler("BatchUpdateAttendeeCapabilitiesExcept", batch_update_attendee_capabilities_except);
    s.register_handler("StartMeetingTranscription", start_meeting_transcription);
    s.register_handler("StopMeetingTranscription", stop_meeting_transcription);
    s.register_handler("CreateMeeting", create_meeting);
    s.register_handler("CreateMeetingWithAttendees", create_meeting_with_attendees);
    s.register_handler("GetMeeting", get_meeting);
    s.register_handler("DeleteMeeting", delete_meeting);
    s.register_handler("ListMeetings", list_meetings);
    s.register_handler("CreateAttendee", create_attendee);
    s.register_handler("BatchCreateAttendee", batch_create_attendee);
    s.register_handler("GetAttendee", get_attendee);
    s.register_handler("DeleteAttendee", delete_attendee);
    s.register_handler("ListAttendees", list_attendees);
}

} // namespace chime::local
