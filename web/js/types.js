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
 */

/**
 * `GET /bookings/pages/{host}/{type}`.
 * @typedef {object} BookingPage
 * @property {PublicHost} host
 * @property {PublicEventType} event_type
 * @property {string} host_time_zone
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
 */
