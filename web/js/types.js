// @ts-check
// The shapes of the API's JSON that the web client reads (JSDoc only: nothing here runs, and no page loads this
// file; modules name a shape with `@typedef {import("./types.js").Slot} Slot`). docs: /openapi.json.
export {};

/**
 * An RFC 9457 problem (application/problem+json) with Kaleno's field errors.
 * @typedef {object} Problem
 * @property {string} [type]
 * @property {string} [title]
 * @property {string} [detail]
 * @property {FieldError[]} [errors]
 * @property {string} [consent_url] 403 on the calendar list: where Google asks the host for that permission
 */

/**
 * @typedef {object} FieldError
 * @property {string} [field] the request's field path ("invitee.email", "answers.q1")
 * @property {string} message a sentence for people
 * @property {string} [code]
 */

/**
 * A free time (`GET /bookings/pages/{host}/{type}/slots`), in the zone it was asked in.
 * @typedef {object} Slot
 * @property {string} start RFC 3339 with offset
 * @property {string} end
 * @property {number | null} [seats_left] a group session's free seats
 */

/**
 * @typedef {object} SlotsAnswer
 * @property {Slot[]} slots
 * @property {boolean} [complete] false: part of the range is not yet mirrored from the host's calendar
 */

/** @typedef {"short_text" | "long_text" | "phone" | "single_choice" | "multiple_choice" | "checkbox"} QuestionKind */

/**
 * A question the host asks on the booking form.
 * @typedef {object} Question
 * @property {string} id
 * @property {string} label
 * @property {QuestionKind} kind
 * @property {boolean} [required]
 * @property {string[]} [options] the choices of single_choice and multiple_choice
 */

/** @typedef {string | boolean | string[]} AnswerValue what a question's answer is sent as */

/**
 * An answer as a booking shows it.
 * @typedef {object} Answer
 * @property {string} label the question as it was asked
 * @property {AnswerValue} value
 */

/** @typedef {"google_meet" | "phone" | "in_person" | "link"} LocationKind */

/**
 * @typedef {object} Location
 * @property {LocationKind} kind
 * @property {string | null} [value] the address, number or link
 */

/**
 * An event type as its booking page shows it (shared/web/views.py PublicEventType).
 * @typedef {object} PublicEventType
 * @property {string} slug
 * @property {string} title
 * @property {string} description
 * @property {number} duration_minutes
 * @property {number} booking_window_days
 * @property {number} min_notice_minutes
 * @property {LocationKind | null} location_kind
 * @property {boolean} asks_invitee_phone
 * @property {Question[]} questions
 * @property {number} seats more than 1: a group session
 */

/**
 * @typedef {object} PublicHost
 * @property {string} slug
 * @property {string} display_name
 * @property {string | null} [avatar_url] the host's picture (absent or null: their initials are shown)
 * @property {string | null} [brand_color] "#rrggbb", readable (WCAG AA); null: Kaleno's own accent
 * @property {"en" | "id"} [locale] the language the host's pages fall back to
 */

/**
 * `GET /bookings/pages/{host}/{type}`.
 * @typedef {object} BookingPage
 * @property {PublicHost} host
 * @property {PublicEventType} event_type
 * @property {string} host_time_zone
 * @property {string[] | null} [attendees] a team's collective type: the members who will all attend
 */

/**
 * `GET /bookings/pages/{host}`.
 * @typedef {object} HostPage
 * @property {PublicHost} host
 * @property {PublicEventType[]} event_types
 * @property {string} host_time_zone
 */

/**
 * @typedef {object} Invitee
 * @property {string} name
 * @property {string} email
 * @property {string} time_zone
 */

/** @typedef {"confirmed" | "cancelled" | "cancelled_by_host" | "needs_attention"} BookingStatus */

/**
 * `POST /bookings`'s answer (shared/web/views.py BookingCreated).
 * @typedef {object} BookingCreated
 * @property {string} id
 * @property {BookingStatus} status
 * @property {string} start
 * @property {string} end
 * @property {string} manage_token
 * @property {Location | null} location
 * @property {string | null} meeting_url
 */

/**
 * A booking as its invitee sees it (BookingView; times in the invitee's zone).
 * @typedef {object} Booking
 * @property {string} id
 * @property {BookingStatus} status
 * @property {string} status_message
 * @property {string} event_title
 * @property {string} start
 * @property {string} end
 * @property {Invitee} invitee
 * @property {string | null} notes
 * @property {Answer[]} answers
 * @property {Location | null} location
 * @property {string | null} meeting_url
 * @property {"up_to_date" | "pending"} calendar_invite
 * @property {"pending" | "sent" | "failed" | "not_sent"} confirmation_mail
 */

/**
 * A booking on the manage page: `GET /bookings/{id}` adds the host's page and event type to reschedule on (null
 * when gone); the answers of a reschedule, cancel or edit do not.
 * @typedef {Booking & {host_slug?: string | null, event_type_slug?: string | null}} ManagedBooking
 */

/**
 * A booking as its host sees it (HostBookingView).
 * @typedef {Booking & HostBookingFacts} HostBooking
 */

/**
 * @typedef {object} HostBookingFacts
 * @property {string} event_type_id
 * @property {string | null} cancel_reason
 * @property {string | null} moved_start needs_attention: the time the event has in Google now
 * @property {string | null} moved_end
 * @property {string} sync_state
 * @property {string | null} sync_error
 * @property {number} version
 * @property {number | null} [seat]
 */

/**
 * @typedef {object} Connection
 * @property {"connected" | "disconnected"} state
 * @property {string | null} reason
 * @property {string[]} missing_scopes
 * @property {string} message
 */

/**
 * A dashboard section: its element and what draws it with fresh data (the first time it is shown, and after
 * changes elsewhere); some sections offer more to the others.
 * @typedef {object} Section
 * @property {HTMLElement} element
 * @property {() => unknown} load
 * @property {() => void} [refreshLinks] event types: the host's page address changed
 * @property {(schedules: Schedule[]) => void} [setSchedules] event types: the schedules they can take hours from
 * @property {() => unknown} [refreshList] availability: which event types use which schedule changed
 */

/** @typedef {() => Host} GetHost the signed-in host as last loaded */

/**
 * The signed-in host (`GET /hosts/me`, HostView).
 * @typedef {object} Host
 * @property {string} id
 * @property {string} email
 * @property {string} display_name
 * @property {string} slug
 * @property {string} time_zone
 * @property {Connection} connection
 * @property {string[]} granted_scopes
 * @property {boolean} onboarded
 * @property {boolean} restricted
 * @property {boolean} objected
 * @property {string | null} brand_color "#rrggbb"; null: Kaleno's own accent
 * @property {string | null} avatar_url
 * @property {"en" | "id"} locale
 */

/**
 * One of the host's event types (`GET /hosts/me/event-types`, EventTypeView: shared/domain/event_type.py).
 * @typedef {object} EventType
 * @property {string} id
 * @property {string} slug
 * @property {string} title
 * @property {number} duration_minutes
 * @property {string} description
 * @property {number} buffer_before_minutes
 * @property {number} buffer_after_minutes
 * @property {number} min_notice_minutes
 * @property {number} booking_window_days
 * @property {number} slot_step_minutes
 * @property {number | null} daily_limit
 * @property {number | null} weekly_limit
 * @property {number | null} monthly_limit
 * @property {string | null} schedule_id null: the default schedule
 * @property {number | null} daily_minutes_limit
 * @property {number | null} weekly_minutes_limit
 * @property {number} invitee_open_limit
 * @property {number} seats
 * @property {boolean} seats_show_attendees
 * @property {Location | null} location
 * @property {number} reminder_minutes_before
 * @property {Question[]} questions
 * @property {"public" | "private"} visibility
 * @property {"auto" | "always"} bot_gate when a booking must carry a proof of work
 */

/** @typedef {[string, string]} TimeRange "HH:MM" from and until */

/**
 * @typedef {object} TimeOff
 * @property {string} first_day
 * @property {string} last_day
 * @property {string | null} [reason] the host's own note
 */

/**
 * One of the host's schedules (`GET /hosts/me/schedules`, ScheduleView).
 * @typedef {object} Schedule
 * @property {string} id "default" for the default schedule
 * @property {string} name
 * @property {string} time_zone
 * @property {Record<string, TimeRange[]>} weekly by weekday ("mon" … "sun")
 * @property {Record<string, TimeRange[]>} overrides by date ("YYYY-MM-DD"); [] is a day off
 * @property {TimeOff[]} time_off
 * @property {boolean} is_default
 * @property {string[]} used_by the ids of the event types whose hours come from it
 */

/**
 * A single-use link as its host sees it (LinkView); its creation's answer adds `token` and `url`.
 * @typedef {object} BookingLink
 * @property {string} id
 * @property {string} event_type_id
 * @property {"active" | "used" | "expired" | "revoked"} state
 * @property {string} created_at
 * @property {string | null} expires_at
 * @property {string | null} revoked_at
 * @property {string | null} used_at
 * @property {string | null} booking_id
 */

/**
 * @typedef {object} CalendarEntry
 * @property {string} id
 * @property {string} summary
 * @property {boolean} primary
 * @property {boolean} owned
 * @property {boolean} conflict
 * @property {boolean} write
 */

/**
 * `GET /hosts/me/calendars` (HostCalendarsView).
 * @typedef {object} HostCalendars
 * @property {CalendarEntry[]} calendars
 * @property {string[]} conflict
 * @property {string} write
 * @property {number} max_conflict
 */

/**
 * `POST /privacy/erase` and `GET /privacy/erase/{id}` (ErasureView).
 * @typedef {object} Erasure
 * @property {string} erasure_id
 * @property {string} state "done" once finished
 */

/**
 * @typedef {object} Webhook
 * @property {string} id
 * @property {string} url
 * @property {string[]} events
 * @property {string | null} description
 * @property {string} created_at
 * @property {number} secret_version
 */

/**
 * A webhook delivery (DeliveryView).
 * @typedef {object} Delivery
 * @property {string} id
 * @property {string} event
 * @property {string} event_id
 * @property {string} booking_id
 * @property {string} state
 * @property {number} attempts
 * @property {number | null} last_status
 * @property {string | null} last_error
 * @property {string} created_at
 * @property {string} updated_at
 * @property {string | null} delivered_at
 */

/** @typedef {"owner" | "admin" | "member"} TeamRole */

/**
 * A team you are in (`GET /teams`, TeamView).
 * @typedef {object} Team
 * @property {string} id
 * @property {string} slug
 * @property {string} name
 * @property {TeamRole} role your role in it
 */

/**
 * @typedef {object} TeamMember
 * @property {string} host_id
 * @property {string} display_name
 * @property {TeamRole} role
 * @property {number} weight round robin, 1-10: a weight-2 member takes twice the bookings of a weight-1 one
 * @property {number} priority round robin, 0-10: free members of a higher priority are asked first
 */

/**
 * A pending invitation (`GET /teams/{id}/invitations`).
 * @typedef {object} TeamInvitation
 * @property {string} id
 * @property {string} email
 * @property {TeamRole} role
 * @property {string} expires_at
 */

/**
 * A team's event type: a host's event type's fields plus how bookings are assigned and to whom.
 * @typedef {EventType & {assignment: "round_robin" | "collective", members: string[]}} TeamEventType
 */

/**
 * A booking of a team's type (`GET /teams/{id}/bookings`).
 * @typedef {object} TeamBooking
 * @property {string} id
 * @property {{id: string, slug: string, name: string}} event_type
 * @property {string} start
 * @property {string} end
 * @property {BookingStatus} status
 * @property {{host_id: string, display_name: string}[]} hosts
 * @property {{name: string}} invitee
 */
