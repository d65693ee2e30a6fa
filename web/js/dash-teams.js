// @ts-check
// Dashboard: teams. A switcher between your teams (with your role in each), founding one, and the chosen team's
// members (roles, round-robin weight and priority, removal, leaving), invitations (invite by email; the pending
// ones listed and withdrawn), export (owners), event types and bookings (dash-teams-types.js). An invitation's
// link (/#team-invitation/<token>) is accepted here once its host is signed in. The chosen team is in the address
// (/dashboard/teams?team=<id>).
import { api, ApiError, describe, showErrors, clearErrors, summaryBox } from "./api.js";
import { fill, h, field, busy, download } from "./dom.js";
import { slugify, breakableUrl } from "./dash-types.js";
import { askToConfirm } from "./dash-confirm.js";
import { teamTypesPanel, teamBookingsPanel, teamPath, manages } from "./dash-teams-types.js";
import { language, t } from "./i18n.js";

/** @typedef {import("./types.js").Team} Team */
/** @typedef {import("./types.js").TeamRole} TeamRole */
/** @typedef {import("./types.js").TeamMember} TeamMember */
/** @typedef {import("./types.js").TeamInvitation} TeamInvitation */

/** @type {Record<TeamRole, string>} */
const ROLE_NAMES = { owner: t("Owner"), admin: t("Admin"), member: t("Member") };
/** @type {[TeamRole, string][]} */
const ROLES = [["member", ROLE_NAMES.member], ["admin", ROLE_NAMES.admin], ["owner", ROLE_NAMES.owner]];

/**
 * @param {import("./types.js").GetHost} getHost
 */
export function teamsSection(getHost) {
  /** @type {Team[]} */
  let teams = [];
  /** @type {string | null} */
  let chosenId = new URLSearchParams(location.search).get("team");
  const status = h("p", { class: "status-line", role: "status" }, t("Loading your teams…"));
  const switcher = field(t("Team"), { kind: "select", name: "team" });
  switcher.wrap.hidden = true;
  switcher.input.addEventListener("change", () => choose(switcher.input.value));
  const teamArea = h("div");
  const creating = createForm();
  const top = h("section", { class: "card", "aria-labelledby": "teams-title" },
    h("h2", { id: "teams-title" }, t("Teams")),
    h("p", {}, t("A team shares one booking page: each booking goes to the first free member (round robin) or to all of you together.")),
    status, switcher.wrap, creating.toggle, creating.area);
  const element = h("div", {}, top, teamArea);

  /** @param {string | null} [wanted] the team to show (else the one in the address, else the first) */
  async function load(wanted) {
    try {
      teams = (await api("/teams")).teams;
    } catch (error) {
      status.className = "error";
      fill(status, `${t("Your teams could not be loaded.")} ${describe(error)} `, h("button", { type: "button", class: "link", onclick: () => load() }, t("Try again")));
      return;
    }
    status.className = "status-line";
    fill(status, teams.length ? "" : t("You are in no team yet: create one, or open an invitation someone sent you."));
    fill(switcher.input, teams.map((team) => h("option", { value: team.id }, `${team.name} (${ROLE_NAMES[team.role]})`)));
    switcher.wrap.hidden = teams.length === 0;
    const id = wanted ?? chosenId;
    choose(teams.some((team) => team.id === id) ? id : teams[0]?.id ?? null);
  }

  /** @param {string | null} id */
  function choose(id) {
    chosenId = id;
    const team = teams.find((other) => other.id === id);
    const query = team ? `?${new URLSearchParams({ team: team.id })}` : "";
    if (location.pathname.endsWith("/teams") && location.search !== query) history.replaceState(null, "", `${location.pathname}${query}`);
    if (!team) return fill(teamArea);
    switcher.input.value = team.id;
    fill(teamArea, teamPanels(team));
  }

  /** @param {Team} team */
  function teamPanels(team) {
    const page = `${location.origin}/${encodeURIComponent(team.slug)}`;
    /** @type {TeamMember[]} */
    let members = [];
    const membersReady = api(`${teamPath(team)}/members`).then((/** @type {{members: TeamMember[]}} */ found) => {
      members = found.members;
      return members;
    });
    const headingId = `team-${team.id}-title`;
    const area = h("div");
    const summary = h("section", { class: "card", "aria-labelledby": headingId },
      h("h2", { id: headingId }, team.name),
      h("p", { class: "meta" }, t("Your role: {role}", { role: ROLE_NAMES[team.role] })),
      h("p", { class: "share-link" }, t("The team's booking page:"), " ", h("a", { href: page }, breakableUrl(page))),
      manages(team.role) && renameForm(team),
      team.role === "owner" && h("p", { class: "actions" }, exportButton(team, area), h("button", { type: "button", class: "danger", onclick: () => askToConfirm(area, {
        kind: "delete-team",
        message: t("Delete {team}? Its booking page stops working and its open invitations end; bookings already made stay with their members.", { team: team.name }),
        confirm: t("Yes, delete the team"),
        keep: t("Keep it"),
        busyText: t("Deleting…"),
        run: async () => {
          await api(teamPath(team), { method: "DELETE" });
          chosenId = null;
          await load();
          fill(status, t("{team} was deleted.", { team: team.name }));
        },
      }) }, t("Delete team"))),
      area);
    return [summary, membersPanel(team, membersReady), invitationsPanel(team),
      teamTypesPanel(team, getHost, () => members, membersReady), teamBookingsPanel(team, getHost, () => members, membersReady)];
  }

  /**
   * Owners download the team's record (`GET /teams/{id}/export`) as JSON, as a host downloads their own.
   * @param {Team} team
   * @param {HTMLElement} area where the outcome is said
   */
  function exportButton(team, area) {
    const button = h("button", { type: "button" }, t("Export the team's data"));
    button.addEventListener("click", async () => {
      fill(area);
      try {
        const data = await busy(button, () => api(`${teamPath(team)}/export`), t("Preparing…"));
        download(`kaleno-team-${team.slug}.json`, JSON.stringify(data, null, 2), "application/json");
        fill(area, h("p", { role: "status" }, t("{team}'s data was downloaded as a JSON file.", { team: team.name })));
      } catch (error) {
        fill(area, h("p", { class: "error", role: "alert" }, `${t("The export failed.")} ${describe(error)}`));
      }
    });
    return button;
  }

  /**
   * @param {Team} team
   * @param {Promise<TeamMember[]>} membersReady
   */
  function membersPanel(team, membersReady) {
    const me = getHost().id;
    const note = h("p", { class: "status-line", role: "status" }, t("Loading members…"));
    const list = h("ul", { class: "plain", "aria-label": t("Members of {team}", { team: team.name }) });
    const standingHint = h("p", { id: `standing-${team.id}`, class: "hint" },
      t("Round robin: a member of weight 2 takes twice the bookings of weight 1; free members of a higher priority are asked first."));
    const element = h("section", { class: "card", "aria-labelledby": `members-${team.id}` },
      h("h3", { id: `members-${team.id}` }, t("Members")), standingHint, list, note);

    /**
     * A member's round-robin weight or priority: a select saved at once (owners and admins).
     * @param {TeamMember} member
     * @param {"weight" | "priority"} setting
     * @param {HTMLElement} area where a refusal is said
     * @param {(members: TeamMember[]) => void} redraw
     */
    function standingField(member, setting, area, redraw) {
      const low = setting === "weight" ? 1 : 0;
      const values = Array.from({ length: 11 - low }, (_, i) => String(low + i));
      const label = setting === "weight" ? t("Weight of {name}", { name: member.display_name }) : t("Priority of {name}", { name: member.display_name });
      const chosen = field(label, { kind: "select", name: setting,
        options: values.map((value) => [value, value]), "aria-describedby": standingHint.id });
      chosen.input.value = String(member[setting]);
      chosen.input.addEventListener("change", async () => {
        fill(area);
        try {
          const changed = await api(`${teamPath(team)}/members/${encodeURIComponent(member.host_id)}`,
            { method: "PATCH", body: { [setting]: Number(chosen.input.value) } });
          redraw(changed.members);
          fill(note, setting === "weight"
            ? t("{name}'s weight is now {value}.", { name: member.display_name, value: chosen.input.value })
            : t("{name}'s priority is now {value}.", { name: member.display_name, value: chosen.input.value }));
        } catch (error) {
          chosen.input.value = String(member[setting]);
          fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
        }
      });
      return chosen.wrap;
    }

    /** @param {TeamMember[]} members */
    function draw(members) {
      fill(note);
      fill(list, members.map((member) => {
        const area = h("div");
        const mine = member.host_id === me;
        // The only owner cannot leave (the API answers 409 team-sole-owner): said instead of a button that fails.
        const soleOwner = member.role === "owner" && members.filter((m) => m.role === "owner").length === 1;
        const canManage = !mine && manages(team.role) && (team.role === "owner" || member.role !== "owner");
        const role = field(t("Role of {name}", { name: member.display_name }), { kind: "select", name: "role",
          options: ROLES.filter(([value]) => team.role === "owner" || value !== "owner") });
        role.input.value = member.role;
        role.input.addEventListener("change", async () => {
          try {
            const changed = await api(`${teamPath(team)}/members/${encodeURIComponent(member.host_id)}`, { method: "PATCH", body: { role: role.input.value } });
            draw(changed.members);
            fill(note, t("{name} is now {role}.", { name: member.display_name, role: ROLE_NAMES[/** @type {TeamRole} */ (role.input.value)].toLowerCase() }));
          } catch (error) {
            role.input.value = member.role;
            fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
          }
        });
        const leaving = () => askToConfirm(area, {
          kind: mine ? "leave-team" : "remove-member",
          message: mine ? t("Leave {team}? You stop taking its bookings; your own bookings stay.", { team: team.name })
            : t("Remove {name} from {team}? They stop taking its bookings; bookings already made stay.", { name: member.display_name, team: team.name }),
          confirm: mine ? t("Yes, leave the team") : t("Yes, remove {name}", { name: member.display_name }),
          keep: mine ? t("Stay") : t("Keep them"),
          busyText: mine ? t("Leaving…") : t("Removing…"),
          run: async () => {
            await api(`${teamPath(team)}/members/${encodeURIComponent(member.host_id)}`, { method: "DELETE" });
            if (mine) {
              chosenId = null;
              await load();
              fill(status, t("You left {team}.", { team: team.name }));
            } else {
              draw(members.filter((m) => m.host_id !== member.host_id));
              fill(note, t("{name} was removed.", { name: member.display_name }));
            }
          },
        });
        const standing = manages(team.role)
          ? h("div", { class: "row" }, canManage && role.wrap, standingField(member, "weight", area, draw), standingField(member, "priority", area, draw))
          : h("p", { class: "meta" }, t("Weight {weight} · priority {priority}", { weight: member.weight, priority: member.priority }));
        return h("li", {},
          h("p", {}, h("strong", {}, member.display_name), mine && ` ${t("(you)")}`, " ", h("span", { class: "badge" }, ROLE_NAMES[member.role])),
          standing,
          mine && soleOwner && h("p", { class: "hint" }, t("You are the only owner: make another member owner before you leave, or delete the team.")),
          ((mine && !soleOwner) || canManage) && h("div", { class: "actions" }, h("button", { type: "button", class: "danger", onclick: leaving },
            mine ? t("Leave team") : t("Remove"), !mine && h("span", { class: "vh" }, ` ${member.display_name}`))),
          area);
      }));
    }
    membersReady.then(draw).catch((error) => {
      note.className = "error";
      fill(note, `${t("Members could not be loaded.")} ${describe(error)}`);
    });
    return element;
  }

  /** @param {Team} team */
  function invitationsPanel(team) {
    if (!manages(team.role)) return null; // members do not invite
    const note = h("p", { class: "status-line", role: "status" });
    const pending = h("ul", { class: "plain", "aria-label": t("Pending invitations to {team}", { team: team.name }) });
    const pendingArea = h("div", { hidden: true }, h("h4", {}, t("Pending invitations")), pending);
    const email = field(t("Email"), { name: "email", type: "email", autocomplete: "off", maxlength: 254,
      hint: t("They join by signing in with this Google account and connecting their calendar.") });
    const role = field(t("Role"), { kind: "select", name: "role", options: ROLES.filter(([value]) => team.role === "owner" || value !== "owner") });
    const submit = h("button", { type: "submit", class: "primary" }, t("Send invitation"));
    const form = h("form", { novalidate: true, "aria-labelledby": `invite-${team.id}` }, summaryBox(), email.wrap, role.wrap,
      h("div", { class: "actions" }, submit));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      fill(note);
      const sent = email.input.value.trim();
      try {
        await busy(submit, () => api(`${teamPath(team)}/invitations`, { method: "POST", body: { email: sent, role: role.input.value } }), t("Sending…"));
        form.reset();
        fill(note, t("An invitation was sent to "), breakableUrl(sent), t(". It works once, for 7 days."));
        listPending();
      } catch (error) {
        showErrors(form, error);
      }
    });

    async function listPending() {
      try {
        /** @type {{invitations: TeamInvitation[]}} */
        const found = await api(`${teamPath(team)}/invitations`);
        pendingArea.hidden = found.invitations.length === 0;
        fill(pending, found.invitations.map((invitation) => {
          const area = h("div");
          const expires = new Intl.DateTimeFormat(language(), { day: "numeric", month: "short", timeZone: getHost().time_zone })
            .format(new Date(invitation.expires_at));
          return h("li", {},
            h("p", {}, breakableUrl(invitation.email), " ", h("span", { class: "badge" }, ROLE_NAMES[invitation.role])),
            h("p", { class: "meta" }, t("Pending, until {date}", { date: expires })),
            h("div", { class: "actions" }, h("button", { type: "button", onclick: async (/** @type {Event} */ event) => {
              try {
                await busy(/** @type {HTMLButtonElement} */ (event.currentTarget), () => api(
                  `${teamPath(team)}/invitations/${encodeURIComponent(invitation.id)}`, { method: "DELETE" }), t("Withdrawing…"));
                fill(note, t("The invitation to "), breakableUrl(invitation.email), t(" was withdrawn: its link no longer works."));
                listPending();
              } catch (error) {
                fill(area, h("p", { class: "error", role: "alert" }, describe(error)));
              }
            } }, t("Withdraw"), h("span", { class: "vh" }, ` ${t("the invitation to {email}", { email: invitation.email })}`))),
            area);
        }));
      } catch (error) {
        pendingArea.hidden = true;
        fill(note, h("span", { class: "error" }, `${t("Pending invitations could not be loaded.")} ${describe(error)} `),
          h("button", { type: "button", class: "link", onclick: () => listPending() }, t("Try again")));
      }
    }
    listPending();
    return h("section", { class: "card", "aria-labelledby": `invite-${team.id}` },
      h("h3", { id: `invite-${team.id}` }, t("Invite someone")), form, note, pendingArea);
  }

  /**
   * The team's name and address (owners and admins), behind a disclosure.
   * @param {Team} team
   */
  function renameForm(team) {
    const area = h("div", { id: `team-rename-${team.id}`, hidden: true });
    const button = h("button", { type: "button", "aria-expanded": "false", "aria-controls": area.id }, t("Change name or address"));
    const name = field(t("Team name"), { name: "name", value: team.name, maxlength: 100 });
    const slug = field(t("Page address (slug)"), { name: "slug", value: team.slug, maxlength: 60, autocapitalize: "none", spellcheck: "false",
      hint: t("Changing it breaks links you already shared.") });
    const submit = h("button", { type: "submit", class: "primary" }, t("Save team"));
    const form = h("form", { novalidate: true, "aria-label": t("Name and address of {team}", { team: team.name }) }, summaryBox(), name.wrap, slug.wrap,
      h("div", { class: "actions" }, submit));
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      area.hidden = !open;
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      /** @type {{name?: string, slug?: string}} */
      const body = {};
      if (name.input.value.trim() !== team.name) body.name = name.input.value.trim();
      if (slug.input.value.trim() !== team.slug) body.slug = slug.input.value.trim();
      try {
        await busy(submit, () => api(teamPath(team), { method: "PATCH", body }), t("Saving…"));
        await load(team.id);
        fill(status, t("The team was saved."));
      } catch (error) {
        markTaken(error);
        showErrors(form, error);
      }
    });
    fill(area, form);
    return h("div", {}, h("p", {}, button), area);
  }

  function createForm() {
    const area = h("div", { id: "team-create", hidden: true });
    const toggle = h("p", {}, h("button", { type: "button", "aria-expanded": "false", "aria-controls": area.id }, t("Create a team")));
    const button = /** @type {HTMLButtonElement} */ (toggle.firstElementChild);
    const name = field(t("Team name"), { name: "name", maxlength: 100, autocomplete: "organization" });
    const slug = field(t("Page address (slug)"), { name: "slug", maxlength: 60, autocapitalize: "none", spellcheck: "false",
      hint: t("Lowercase letters, digits and hyphens: the team's booking pages live at this address, beside hosts' pages.") });
    let slugTouched = false;
    slug.input.addEventListener("input", () => { slugTouched = true; });
    name.input.addEventListener("input", () => { if (!slugTouched) slug.input.value = slugify(name.input.value); });
    const submit = h("button", { type: "submit", class: "primary" }, t("Create team"));
    const form = h("form", { novalidate: true, "aria-label": t("Create a team") }, summaryBox(), name.wrap, slug.wrap,
      h("div", { class: "actions" }, submit));
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      area.hidden = !open;
      if (open) name.input.focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const body = { name: name.input.value.trim(), slug: slug.input.value.trim() };
      try {
        /** @type {{id: string, slug: string}} */
        const created = await busy(submit, () => api("/teams", { method: "POST", body }), t("Creating…"));
        form.reset();
        slugTouched = false;
        area.hidden = true;
        button.setAttribute("aria-expanded", "false");
        await load(created.id);
        fill(status, t("{team} was created. Invite its members below.", { team: body.name }));
      } catch (error) {
        markTaken(error);
        showErrors(form, error);
      }
    });
    fill(area, form);
    return { toggle, area };
  }

  /**
   * Join a team from an invitation's link, then show it.
   * @param {string} token
   */
  async function accept(token) {
    fill(status, t("Joining the team…"));
    try {
      /** @type {{team_id: string}} */
      const joined = await api(`/teams/invitations/${encodeURIComponent(token)}/accept`, { method: "POST" });
      await load(joined.team_id);
      const team = teams.find((other) => other.id === joined.team_id);
      fill(status, team ? t("You joined {team}.", { team: team.name }) : t("You joined the team."));
    } catch (error) {
      await load();
      status.className = "error";
      fill(status, `${t("The invitation could not be accepted.")} ${describe(error)}`);
    }
  }

  return { element, load: () => load(), accept };
}

/**
 * An address taken by a host or a team (one registry) is said on the slug field, as the host's own address is.
 * @param {unknown} error
 */
function markTaken(error) {
  if (error instanceof ApiError && error.status === 409 && String(error.problem.type).endsWith("/slug-taken")) {
    error.fields.push({ field: "slug", code: "slug-taken", message: t("Taken: try another address.") });
  }
}
