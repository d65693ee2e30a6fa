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
 * A booking as the invitee (manage token) and the booking page's confirmation see it.
 * @typedef {object} Booking
 * @property {string} id
 * @property {string} start
 * @property {string} end
 * @property {BookingStatus} [status]
 * @property {Invitee} invitee
 * @property {string} [manage_token] only in the answer to the booking's creation
 * @property {Location | null} [location]
 * @property {string | null} [meeting_url]
 * @property {Answer[]} [answers]
 * @property {string} [host_slug]
 * @property {string} [event_type_slug]
 * @property {string} [confirmation_mail] "failed": our mail about the latest change was refused for good
 */
