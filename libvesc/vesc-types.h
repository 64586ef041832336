/* vesc-types.h: enumerations and the error domain shared by the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <glib-object.h>

#include "vesc-version-macros.h"

G_BEGIN_DECLS

/**
 * VESC_ERROR:
 *
 * The error domain of libvesc. Errors in this domain are from the
 * [enum@Vesc.Error] enumeration.
 */
#define VESC_ERROR (vesc_error_quark ())

/**
 * VescError:
 * @VESC_ERROR_FAILED: a failure with no more specific code
 * @VESC_ERROR_INVALID_INPUT: a value given by a caller or read from a file is
 *   malformed (an address, an e-mail address, a line break in a header value)
 * @VESC_ERROR_UNKNOWN_SITE: no site in the directory has that id or address
 * @VESC_ERROR_WRONG_STEP: the input is not owed at the escalation's current step
 * @VESC_ERROR_CLOSED: the escalation is closed and takes no more input
 * @VESC_ERROR_INVALID_POLICY: a policy value is out of range or unknown
 * @VESC_ERROR_PARSE: a file could not be parsed; the message names file and line
 * @VESC_ERROR_NOT_FOUND: no incident, template or contact has that name
 * @VESC_ERROR_DUPLICATE: an id, subnet or device is given twice
 * @VESC_ERROR_IO: reading or writing a file failed
 * @VESC_ERROR_LOCKED: the store is in use by another process
 *
 * Error codes in the %VESC_ERROR domain.
 */
typedef enum {
  VESC_ERROR_FAILED,
  VESC_ERROR_INVALID_INPUT,
  VESC_ERROR_UNKNOWN_SITE,
  VESC_ERROR_WRONG_STEP,
  VESC_ERROR_CLOSED,
  VESC_ERROR_INVALID_POLICY,
  VESC_ERROR_PARSE,
  VESC_ERROR_NOT_FOUND,
  VESC_ERROR_DUPLICATE,
  VESC_ERROR_IO,
  VESC_ERROR_LOCKED,
} VescError;

VESC_AVAILABLE_IN_ALL
GQuark vesc_error_quark (void);

/**
 * VescScenario:
 * @VESC_SCENARIO_MINOR: a problem on fewer machines than the policy's threshold
 *   at one site
 * @VESC_SCENARIO_REOCCURRING: the site keeps having problems
 * @VESC_SCENARIO_MAJOR: an immediate threat to every other network user
 *
 * The three scenarios of the procedure.
 */
typedef enum {
  VESC_SCENARIO_MINOR,
  VESC_SCENARIO_REOCCURRING,
  VESC_SCENARIO_MAJOR,
} VescScenario;

/**
 * VescCinState:
 * @VESC_CIN_STATE_CONNECTED: the site's internet link is up
 * @VESC_CIN_STATE_DISCONNECTED: ITD has cut the site's internet link
 *
 * The state of a site's council network (CIN) link.
 */
typedef enum {
  VESC_CIN_STATE_CONNECTED,
  VESC_CIN_STATE_DISCONNECTED,
} VescCinState;

/**
 * VescCheckResult:
 * @VESC_CHECK_RESULT_PRESENT: the device is still on the network
 * @VESC_CHECK_RESULT_ABSENT: the device is no longer on the network
 *
 * What ITD found when it checked the network.
 */
typedef enum {
  VESC_CHECK_RESULT_PRESENT,
  VESC_CHECK_RESULT_ABSENT,
} VescCheckResult;

/**
 * VescRole:
 * @VESC_ROLE_ITD: the council's IT department and help desk
 * @VESC_ROLE_PRINCIPAL_MANAGER: the Principal Manager (and representative)
 * @VESC_ROLE_RELATIONSHIP_MANAGER: the site's Relationship Manager
 * @VESC_ROLE_HEAD_TEACHER: the school's Head Teacher
 * @VESC_ROLE_KSSC: the schools' support centre
 * @VESC_ROLE_LTSB: the Learning and Technology Strategy Board
 *
 * The people the procedure names; used to address notifications.
 */
typedef enum {
  VESC_ROLE_ITD,
  VESC_ROLE_PRINCIPAL_MANAGER,
  VESC_ROLE_RELATIONSHIP_MANAGER,
  VESC_ROLE_HEAD_TEACHER,
  VESC_ROLE_KSSC,
  VESC_ROLE_LTSB,
} VescRole;

/**
 * VescStepKind:
 * @VESC_STEP_KIND_OPEN: the incident is opened
 * @VESC_STEP_KIND_NOTIFY: people are told something
 * @VESC_STEP_KIND_WAIT: a window runs until its deadline passes
 * @VESC_STEP_KIND_CHECK: ITD owes a check of the network
 * @VESC_STEP_KIND_DECISION: a person owes the decision to disconnect
 * @VESC_STEP_KIND_DISCONNECT: the site's link is cut
 * @VESC_STEP_KIND_CLEAN_UP: the support team owes the clean-up
 * @VESC_STEP_KIND_RECONNECT: ITD owes the reconnection
 * @VESC_STEP_KIND_REPORT: the report for the LTSB is produced
 * @VESC_STEP_KIND_CLOSED: the escalation has ended
 *
 * What happens at a step of a track.
 */
typedef enum {
  VESC_STEP_KIND_OPEN,
  VESC_STEP_KIND_NOTIFY,
  VESC_STEP_KIND_WAIT,
  VESC_STEP_KIND_CHECK,
  VESC_STEP_KIND_DECISION,
  VESC_STEP_KIND_DISCONNECT,
  VESC_STEP_KIND_CLEAN_UP,
  VESC_STEP_KIND_RECONNECT,
  VESC_STEP_KIND_REPORT,
  VESC_STEP_KIND_CLOSED,
} VescStepKind;

/**
 * VescEventKind:
 * @VESC_EVENT_KIND_STEP: the escalation entered a step
 * @VESC_EVENT_KIND_NOTIFICATION: a notification was queued
 * @VESC_EVENT_KIND_DEADLINE_ARMED: a deadline was set
 * @VESC_EVENT_KIND_DEADLINE_REACHED: a deadline passed
 * @VESC_EVENT_KIND_DEADLINE_CANCELLED: a deadline was withdrawn
 * @VESC_EVENT_KIND_INPUT: a person or probe gave an input
 * @VESC_EVENT_KIND_UPGRADE: the scenario changed while the incident ran
 * @VESC_EVENT_KIND_DEVICE: a device was added to the incident
 * @VESC_EVENT_KIND_WARNING: something needs attention (a missing recipient)
 * @VESC_EVENT_KIND_CLOSED: the escalation ended
 *
 * The kinds of entry on an incident's timeline.
 */
typedef enum {
  VESC_EVENT_KIND_STEP,
  VESC_EVENT_KIND_NOTIFICATION,
  VESC_EVENT_KIND_DEADLINE_ARMED,
  VESC_EVENT_KIND_DEADLINE_REACHED,
  VESC_EVENT_KIND_DEADLINE_CANCELLED,
  VESC_EVENT_KIND_INPUT,
  VESC_EVENT_KIND_UPGRADE,
  VESC_EVENT_KIND_DEVICE,
  VESC_EVENT_KIND_WARNING,
  VESC_EVENT_KIND_CLOSED,
} VescEventKind;

/**
 * VescDeadlineKind:
 * @VESC_DEADLINE_KIND_WINDOW: the end of a window the procedure gives (D1, D2)
 * @VESC_DEADLINE_KIND_WARNING: a warning shortly before a window ends
 * @VESC_DEADLINE_KIND_REMINDER: a check or decision owed by a person is overdue
 *
 * What a deadline stands for.
 */
typedef enum {
  VESC_DEADLINE_KIND_WINDOW,
  VESC_DEADLINE_KIND_WARNING,
  VESC_DEADLINE_KIND_REMINDER,
} VescDeadlineKind;

/**
 * VescDeadlineOutcome:
 * @VESC_DEADLINE_OUTCOME_PENDING: not yet known
 * @VESC_DEADLINE_OUTCOME_MET: the device was gone by the deadline
 * @VESC_DEADLINE_OUTCOME_MISSED: the device was still there when checked
 * @VESC_DEADLINE_OUTCOME_CANCELLED: withdrawn before it passed (an upgrade or
 *   an early end)
 * @VESC_DEADLINE_OUTCOME_FIRED: a warning or reminder that has fired
 *
 * Whether a deadline was met, as the report tells it.
 */
typedef enum {
  VESC_DEADLINE_OUTCOME_PENDING,
  VESC_DEADLINE_OUTCOME_MET,
  VESC_DEADLINE_OUTCOME_MISSED,
  VESC_DEADLINE_OUTCOME_CANCELLED,
  VESC_DEADLINE_OUTCOME_FIRED,
} VescDeadlineOutcome;

/**
 * VescOutcome:
 * @VESC_OUTCOME_OPEN: the escalation is still running
 * @VESC_OUTCOME_DEVICE_REMOVED: the device left the network; the link was never cut
 * @VESC_OUTCOME_RECONNECTED: the site was disconnected, cleaned and reconnected
 *
 * How an incident ended.
 */
typedef enum {
  VESC_OUTCOME_OPEN,
  VESC_OUTCOME_DEVICE_REMOVED,
  VESC_OUTCOME_RECONNECTED,
} VescOutcome;

G_END_DECLS
