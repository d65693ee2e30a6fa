// @ts-check
// Dashboard, a team's event types (the host's event type form, dash-types.js typeFields, plus how bookings are
// assigned and which members take them; a private one's single-use links, dash-links.js) and the team's
// bookings (with handing one to another member).
import { api, describe, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, busy, uid } from "./dom.js";
import { typeFields, breakableUrl } from "./dash-types.js";
import { askToConfirm } from "./dash-confirm.js";
import { linksDisclosure } from "./dash-links.js";
import { shareDisclosure } from "./dash-share.js";
import { formatWhen } from "./time.js";
import { t, tn } from "./i18n.js";

/** @typedef {import("./types.js").Team} Team */
/** @typedef {import("./types.js").TeamMember} TeamMember */
/** @typedef {import("./types.js").TeamEventType} TeamEventType */
/** @typedef {import("./types.js").TeamBooking} TeamBooking */

/** @type {[string, string][]} */
const ASSIGNMENTS = [["round_robin", t("Round robin")], ["collective", t("Collective")]];
/** @type {Record<string, string>} */
const STATUS_WORDS = { confirmed: t("Confirmed"), cancelled: t("Cancelled"), cancelled_by_host: t("Cancelled by the host"),
  needs_attention: t("Needs attention") };

/** @param {Team} team */
export const teamPath = (team) => `/teams/${encodeURIComponent(team.id)}`;
/** @param {import("./types.js").TeamRole} role owners and admins manage members, invitations and event types */
export const manages = (role) => role === "owner" || role === "admin";

/**
 * @param {Team} team
 * @param {import("./types.js").GetHost} getHost
 * @param {() => TeamMember[]} getMembers
 * @param {Promise<TeamMember[]>} membersReady
 */
export function teamTypesPanel(team, getHost, getMembers, membersReady) {
  /** @type {TeamEventType[]} */
  let types = [];
  const headingId = `team-types-${team.id}`;
  const note = h("p", { class: "status-line", role: "status" }, t("Loading event types…"));
  const list = h("ul", { class: "plain", "aria-label": t("Event types of {team}", { team: team.name }) });
  const formArea = h("div");
  const element = h("section", { class: "card", "aria-labelledby": headingId },
    h("h3", { id: headingId }, t("Team event types")), note, list, formArea);
  /** @param {TeamEventType} type */
  const link = (type) => `${location.origin}/${encodeURIComponent(team.slug)}/${encodeURIComponent(type.slug)}`;
  /** @param {string} id */
  const nameOf = (id) => getMembers().find((m) => m.host_id === id)?.display_name ?? t("a former member");

  async function load() {
    try {
      [{ event_types: types }] = await Promise.all([api(`${teamPath(team)}/event-types`), membersReady]);
      fill(note, types.length ? "" : manages(team.role) ? t("No event types yet: create one so people can book the team.") : t("No event types yet."));
      draw();
    } catch (error) {
      note.className = "error";
      fill(note, `${t("Event types could not be loaded.")} ${describe(error)}`);
    }
  }

  function draw() {
    fill(list, types.map((type) => {
      const area = h("div");
      const isPrivate = type.visibility === "private";
      // A private type's single-use links: owners and admins (the API's rule), the host's own links panel.
      const links = isPrivate && manages(team.role)
        ? linksDisclosure(type, getHost, `${teamPath(team)}/event-types/${encodeURIComponent(type.id)}/links`) : null;
      // A public type's QR code and embed snippets: any member may share the team's page.
      const share = isPrivate ? null : shareDisclosure(type, () => team.slug, `${teamPath(team)}/event-types`);
      return h("li", {},
        h("h4", {}, type.title, isPrivate && [" ", h("span", { class: "badge warn" }, t("Private"))]),
        h("p", { class: "meta" }, [tn("{count} minute", "{count} minutes", type.duration_minutes),
          type.assignment === "collective" ? t("Collective") : t("Round robin"),
          type.members.length ? t("with {members}", { members: type.members.map(nameOf).join(", ") }) : t("with nobody yet")].join(" · ")),
        isPrivate
          ? h("p", { class: "hint" }, t("Not listed on the team's page: its address answers “not found” unless opened with a single-use link."))
          : h("p", { class: "share-link" }, h("a", { href: link(type) }, breakableUrl(link(type)))),
        (manages(team.role) || share) && h("div", { class: "actions" },
          share?.button,
          manages(team.role) && [links?.button,
          h("button", { type: "button", onclick: () => showForm(type) }, t("Edit"), h("span", { class: "vh" }, ` ${type.title}`)),
          h("button", { type: "button", class: "danger", onclick: () => askToConfirm(area, {
            kind: "delete-team-type",
            message: t("Delete {title}? Its booking page stops working; bookings already made stay.", { title: type.title }),
            confirm: t("Yes, delete {title}", { title: type.title }),
            keep: t("Keep it"),
            busyText: t("Deleting…"),
            run: async () => {
              await api(`${teamPath(team)}/event-types/${encodeURIComponent(type.id)}`, { method: "DELETE" });
              types = types.filter((other) => other.id !== type.id);
              fill(note, t("{title} was deleted.", { title: type.title }));
              draw();
            },
          }) }, t("Delete"), h("span", { class: "vh" }, ` ${type.title}`))]),
        area, share?.area, links?.area);
    }));
    if (manages(team.role) && !formArea.childElementCount) showForm(null);
  }

  /** @param {TeamEventType | null} type null: a new one */
  function showForm(type) {
    const editing = type !== null;
    const formHeading = `team-type-form-${team.id}`;
    const fields = typeFields(type, { team: true });
    const assignment = field(t("Assignment"), { kind: "select", name: "assignment", options: ASSIGNMENTS,
      hint: t("Round robin: each booking goes to one free member. Collective: all of them attend, at a time every one is free.") });
    assignment.input.value = type?.assignment ?? "round_robin";
    const chosen = new Set(type ? type.members : getMembers().map((m) => m.host_id));
    const checks = getMembers().map((member) => {
      const id = uid("member");
      const input = h("input", { type: "checkbox", id, value: member.host_id, checked: chosen.has(member.host_id) });
      return { input, wrap: h("div", { class: "check" }, input, h("label", { for: id }, member.display_name)) };
    });
    const who = h("fieldset", { id: uid("members"), class: "choices", "data-field": "members" },
      h("legend", {}, t("Members who take these bookings")), checks.map((c) => c.wrap));
    const submit = h("button", { type: "submit", class: "primary" }, editing ? t("Save event type") : t("Create event type"));
    const [title, slug, ...rest] = fields.parts;
    const form = h("form", { novalidate: true, "aria-labelledby": formHeading }, summaryBox(), title, slug,
      assignment.wrap, h("div", { class: "field" }, who), rest,
      h("div", { class: "actions" }, submit, editing && h("button", { type: "button", onclick: () => showForm(null) }, t("Cancel editing"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const body = { ...fields.body(editing), assignment: assignment.input.value,
        members: checks.filter((c) => c.input.checked).map((c) => c.input.value) };
      try {
        /** @type {TeamEventType} */
        const saved = await busy(submit, () => type
          ? api(`${teamPath(team)}/event-types/${encodeURIComponent(type.id)}`, { method: "PATCH", body })
          : api(`${teamPath(team)}/event-types`, { method: "POST", body }), t("Saving…"));
        types = editing ? types.map((other) => (other.id === saved.id ? saved : other)) : [...types, saved];
        note.className = "status-line";
        fill(note, editing ? t("{title} was saved.", { title: saved.title }) : t("{title} was created.", { title: saved.title }));
        fill(formArea);
        draw();
      } catch (error) {
        fields.showErrors(form, error);
      }
    });
    const heading = h("h4", { id: formHeading, tabindex: "-1" }, type ? t("Edit {title}", { title: type.title }) : t("New team event type"));
    fill(formArea, heading, form);
    if (editing) heading.focus();
  }

  load();
  return element;
}

/**
 * The team's bookings (owners and admins: all of them; members: their own), and handing one over to another member.
 * @param {Team} team
 * @param {import("./types.js").GetHost} getHost
 * @param {() => TeamMember[]} getMembers
 * @param {Promise<TeamMember[]>} membersReady
 */
export function teamBookingsPanel(team, getHost, getMembers, membersReady) {
  const headingId = `team-bookings-${team.id}`;
  const note = h("p", { class: "status-line", role: "status" }, t("Loading bookings…"));
  const list = h("ul", { class: "plain", "aria-label": t("Bookings of {team}", { team: team.name }) });
  const element = h("section", { class: "card", "aria-labelledby": headingId },
    h("h3", { id: headingId }, t("Team bookings")), note, list);

  /** @param {string} [message] what was just done, said (before the time zone) once the list is there */
  async function load(message = "") {
    try {
      /** @type {[{bookings: TeamBooking[]}, TeamMember[]]} */
      const [found] = await Promise.all([api(`${teamPath(team)}/bookings`), membersReady]);
      note.className = "status-line";
      fill(note, [message, found.bookings.length ? t("Times in {zone}.", { zone: getHost().time_zone }) : t("No bookings yet.")].filter(Boolean).join(" "));
      fill(list, found.bookings.map(item));
    } catch (error) {
      note.className = "error";
      fill(note, `${t("Bookings could not be loaded.")} ${describe(error)}`);
    }
  }

  /** @param {TeamBooking} booking */
  function item(booking) {
    const me = getHost().id;
    const hostIds = booking.hosts.map((host) => host.host_id);
    const mayHandOver = booking.status === "confirmed" && booking.hosts.length === 1 && (team.role !== "member" || hostIds.includes(me));
    const others = getMembers().filter((m) => !hostIds.includes(m.host_id));
    const area = h("div");
    const to = field(t("Hand over to"), { kind: "select", name: "host_id", options: others.map((m) => [m.host_id, m.display_name]) });
    const hand = h("button", { type: "submit" }, t("Hand over"), h("span", { class: "vh" }, ` ${t("the booking with {name}", { name: booking.invitee.name })}`));
    // A form, so the button lines up with the select (a form's rows align their controls at the bottom).
    const handing = h("form", {}, h("div", { class: "row" }, to.wrap, h("div", { class: "actions" }, hand)));
    handing.addEventListener("submit", async (event) => {
      event.preventDefault();
      fill(area);
      try {
        await busy(hand, () => api(`${teamPath(team)}/bookings/${encodeURIComponent(booking.id)}/reassign`,
          { method: "POST", body: { host_id: to.input.value } }), t("Handing over…"));
        const member = to.input.selectedOptions[0]?.text ?? t("another member"); // not nested in a t(): the extractor would miss it
        load(t("The booking with {name} now goes to {member}.", { name: booking.invitee.name, member }));
      } catch (error) {
        fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
      }
    });
    return h("li", {},
      h("h4", {}, t("{event} with {name}", { event: booking.event_type.name, name: booking.invitee.name })),
      h("p", {}, formatWhen(booking.start, booking.end, getHost().time_zone)),
      h("p", { class: "meta" }, [STATUS_WORDS[booking.status] ?? booking.status,
        t("taken by {members}", { members: booking.hosts.map((host) => host.display_name).join(", ") })].join(" · ")),
      mayHandOver && others.length > 0 && handing,
      area);
  }

  load();
  return element;
}
