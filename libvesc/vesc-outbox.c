/* vesc-outbox.c: every message recorded before it is sent, sent until delivered
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A message is owed to each channel (a notifier, by name) that was there
 * when it was queued. The store gets a "queued" record before the first
 * send, a "delivered" record for each channel that took it, and an
 * "undeliverable" one when a channel failed VESC_OUTBOX_MAX_ATTEMPTS times.
 * Messages are not stored themselves: replaying the journal renders them
 * again, identical, with the same key. What is still owed after a restart
 * goes out when its channel is added again; a message whose "queued"
 * record never reached the store (a crash in between) goes to the first
 * channel added.
 */
#include "vesc-outbox-private.h"

#include <glib/gi18n-lib.h>

#include "vesc-clock-private.h"
#include "vesc-desk-private.h"
#include "vesc-escalation-private.h"

struct _VescOutbox
{
  VescDesk   *desk;       /* owns the outbox */
  GPtrArray  *channels;   /* Channel */
  GHashTable *items;      /* key -> Item */
  guint       n_sending;
};

typedef struct {
  VescNotifier *notifier;
  char         *name;
} Channel;

typedef struct {
  guint attempts;
  guint alarm_id;   /* a retry waiting on the clock, or 0 */
} Owed;

typedef struct {
  VescNotification *notification;
  GHashTable       *owed;         /* channel name -> Owed */
  gboolean          unrecorded;   /* rendered by the replay, never queued */
} Item;

typedef struct {
  GWeakRef  desk;
  char     *key;
  char     *channel;
} Send;

static void send_to (VescOutbox *self, Item *item, const char *channel);

static void
channel_free (Channel *channel)
{
  g_object_unref (channel->notifier);
  g_free (channel->name);
  g_free (channel);
}

static void
item_free (Item *item)
{
  g_object_unref (item->notification);
  g_hash_table_unref (item->owed);
  g_free (item);
}

static Item *
item_new (VescNotification *notification)
{
  Item *item = g_new0 (Item, 1);

  item->notification = g_object_ref (notification);
  item->owed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return item;
}

VescOutbox *
vesc_outbox_new (VescDesk *desk)
{
  VescOutbox *self = g_new0 (VescOutbox, 1);

  self->desk = desk;
  self->channels = g_ptr_array_new_with_free_func ((GDestroyNotify) channel_free);
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) item_free);
  return self;
}

static void
cancel_retries (VescOutbox *self)
{
  GHashTableIter items, owed;
  Item *item;
  Owed *entry;

  g_hash_table_iter_init (&items, self->items);
  while (g_hash_table_iter_next (&items, NULL, (gpointer *) &item))
    {
      g_hash_table_iter_init (&owed, item->owed);
      while (g_hash_table_iter_next (&owed, NULL, (gpointer *) &entry))
        if (entry->alarm_id != 0)
          vesc_clock_remove_alarm (vesc_desk_get_clock (self->desk), entry->alarm_id);
    }
}

void
vesc_outbox_free (VescOutbox *self)
{
  cancel_retries (self);
  g_ptr_array_unref (self->channels);
  g_hash_table_unref (self->items);
  g_free (self);
}

static Channel *
find_channel (VescOutbox *self,
              const char *name)
{
  for (guint i = 0; i < self->channels->len; i++)
    {
      Channel *channel = self->channels->pdata[i];

      if (g_str_equal (channel->name, name))
        return channel;
    }
  return NULL;
}

guint
vesc_outbox_get_n_sending (VescOutbox *self)
{
  return self->n_sending;
}

static void
set_n_sending (VescOutbox *self,
               guint       n_sending)
{
  self->n_sending = n_sending;
  vesc_desk_notify_pending (self->desk);
}

/* ---- the journal -------------------------------------------------------- */

static void
journal (VescOutbox       *self,
         VescNotification *notification,
         const char       *type,
         JsonArray        *channels,
         const char       *detail)
{
  JsonObject *record = json_object_new ();
  JsonNode *node;
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (record, "type", type);
  json_object_set_string_member (record, "incident",
                                 vesc_notification_get_incident_id (notification));
  json_object_set_int_member (record, "at", vesc_desk_now_usec (self->desk));
  json_object_set_string_member (record, "key", vesc_notification_get_key (notification));
  json_object_set_array_member (record, "channels", channels);
  if (detail != NULL)
    json_object_set_string_member (record, "detail", detail);
  node = json_node_init_object (json_node_alloc (), record);
  json_object_unref (record);
  if (!vesc_desk_journal (self->desk, node, &error))
    g_warning ("Could not record that %s was %s: %s", vesc_notification_get_key (notification),
               type, error->message);
}

static void
journal_channel (VescOutbox       *self,
                 VescNotification *notification,
                 const char       *type,
                 const char       *channel,
                 const char       *detail)
{
  JsonArray *channels = json_array_new ();

  json_array_add_string_element (channels, channel);
  journal (self, notification, type, channels, detail);
}

/* ---- sending ------------------------------------------------------------ */

static void
forget_channel (VescOutbox *self,
                Item       *item,
                const char *channel)
{
  g_hash_table_remove (item->owed, channel);
  if (g_hash_table_size (item->owed) == 0 && !item->unrecorded)
    g_hash_table_remove (self->items, vesc_notification_get_key (item->notification));
}

static GTimeSpan
backoff (guint attempts)
{
  GTimeSpan wait = VESC_OUTBOX_FIRST_BACKOFF;

  for (guint i = 1; i < attempts && wait < VESC_OUTBOX_MAX_BACKOFF; i++)
    wait *= 2;
  return MIN (wait, VESC_OUTBOX_MAX_BACKOFF);
}

typedef struct {
  VescOutbox *outbox;
  char       *key;
  char       *channel;
} Retry;

static void
retry_free (gpointer data)
{
  Retry *retry = data;

  g_free (retry->key);
  g_free (retry->channel);
  g_free (retry);
}

static void
retry_now (VescClock *clock,
           gpointer   data)
{
  Retry *retry = data;
  Item *item = g_hash_table_lookup (retry->outbox->items, retry->key);
  Owed *owed = item ? g_hash_table_lookup (item->owed, retry->channel) : NULL;

  if (owed == NULL)
    return;
  owed->alarm_id = 0;
  send_to (retry->outbox, item, retry->channel);
}

static void
give_up (VescOutbox   *self,
         Item         *item,
         VescNotifier *notifier,
         const char   *channel,
         GError       *error)
{
  VescEscalation *escalation = vesc_desk_lookup_escalation (
    self->desk, vesc_notification_get_incident_id (item->notification));
  g_autofree char *detail = g_strdup_printf (_("“%s” could not be sent through %s after %u "
                                               "attempts: %s"),
                                             vesc_notification_get_subject (item->notification),
                                             channel, VESC_OUTBOX_MAX_ATTEMPTS, error->message);

  journal_channel (self, item->notification, "undeliverable", channel, detail);
  if (escalation != NULL)
    vesc_escalation_add_warning (escalation, detail);
  vesc_desk_emit_notification_failed (self->desk, item->notification, notifier, error);
  forget_channel (self, item, channel);
}

static void
failed (VescOutbox   *self,
        Item         *item,
        VescNotifier *notifier,
        const char   *channel,
        GError       *error)
{
  Owed *owed = g_hash_table_lookup (item->owed, channel);
  Retry *retry;

  g_message ("Sending %s through %s failed (attempt %u): %s",
             vesc_notification_get_key (item->notification), channel, owed->attempts,
             error->message);
  if (owed->attempts >= VESC_OUTBOX_MAX_ATTEMPTS)
    {
      give_up (self, item, notifier, channel, error);
      return;
    }
  retry = g_new0 (Retry, 1);
  retry->outbox = self;
  retry->key = g_strdup (vesc_notification_get_key (item->notification));
  retry->channel = g_strdup (channel);
  owed->alarm_id = vesc_clock_add_alarm_usec (vesc_desk_get_clock (self->desk),
                                              vesc_desk_now_usec (self->desk) +
                                              backoff (owed->attempts),
                                              retry_now, retry, retry_free);
}

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Send *send = data;
  g_autoptr(VescDesk) desk = g_weak_ref_get (&send->desk);
  g_autoptr(GError) error = NULL;
  gboolean sent = vesc_notifier_send_finish (VESC_NOTIFIER (source), result, &error);
  VescOutbox *self = desk ? vesc_desk_get_outbox (desk) : NULL;
  Item *item = self ? g_hash_table_lookup (self->items, send->key) : NULL;

  if (self != NULL)
    set_n_sending (self, self->n_sending - 1);
  if (item != NULL && g_hash_table_contains (item->owed, send->channel))
    {
      if (sent)
        {
          journal_channel (self, item->notification, "delivered", send->channel, NULL);
          forget_channel (self, item, send->channel);
        }
      else
        failed (self, item, VESC_NOTIFIER (source), send->channel, error);
    }
  g_weak_ref_clear (&send->desk);
  g_free (send->key);
  g_free (send->channel);
  g_free (send);
}

static void
send_to (VescOutbox *self,
         Item       *item,
         const char *name)
{
  Channel *channel = find_channel (self, name);
  Owed *owed = g_hash_table_lookup (item->owed, name);
  Send *send;

  if (channel == NULL || owed == NULL || owed->alarm_id != 0)
    return;
  owed->attempts++;
  send = g_new0 (Send, 1);
  g_weak_ref_init (&send->desk, self->desk);
  send->key = g_strdup (vesc_notification_get_key (item->notification));
  send->channel = g_strdup (name);
  set_n_sending (self, self->n_sending + 1);
  vesc_notifier_send_async (channel->notifier, item->notification, NULL, send_done, send);
}

static void
owe (Item       *item,
     const char *channel)
{
  if (!g_hash_table_contains (item->owed, channel))
    g_hash_table_insert (item->owed, g_strdup (channel), g_new0 (Owed, 1));
}

/* ---- queueing ----------------------------------------------------------- */

void
vesc_outbox_queue (VescOutbox       *self,
                   VescNotification *notification)
{
  const char *key = vesc_notification_get_key (notification);
  JsonArray *channels;
  Item *item;

  if (vesc_desk_is_replaying (self->desk))
    {
      item = item_new (notification);
      item->unrecorded = TRUE;
      g_hash_table_replace (self->items, (char *) vesc_notification_get_key (notification), item);
      return;
    }
  /* Recorded even with no channel, so that a restart knows it was not
   * lost between its cause and its sending. */
  item = item_new (notification);
  channels = json_array_new ();
  for (guint i = 0; i < self->channels->len; i++)
    {
      Channel *channel = self->channels->pdata[i];

      owe (item, channel->name);
      json_array_add_string_element (channels, channel->name);
    }
  g_hash_table_replace (self->items, (char *) key, item);
  journal (self, notification, "queued", channels, NULL);
  for (guint i = 0; i < self->channels->len; i++)
    send_to (self, item, ((Channel *) self->channels->pdata[i])->name);
  if (g_hash_table_size (item->owed) == 0)
    g_hash_table_remove (self->items, key);
}

gboolean
vesc_outbox_add_channel (VescOutbox   *self,
                         VescNotifier *notifier,
                         const char   *name)
{
  g_autoptr(GList) items = NULL;
  Channel *channel;

  for (guint i = 0; i < self->channels->len; i++)
    if (((Channel *) self->channels->pdata[i])->notifier == notifier)
      return FALSE;
  if (find_channel (self, name) != NULL)
    return FALSE;

  channel = g_new0 (Channel, 1);
  channel->notifier = g_object_ref (notifier);
  channel->name = g_strdup (name);
  g_ptr_array_add (self->channels, channel);

  /* What a restart left owed to this channel goes out now. */
  items = g_hash_table_get_values (self->items);
  for (GList *l = items; l != NULL; l = l->next)
    {
      Item *item = l->data;

      if (item->unrecorded)
        {
          item->unrecorded = FALSE;
          owe (item, name);
          journal_channel (self, item->notification, "queued", name, NULL);
        }
      send_to (self, item, name);
    }
  return TRUE;
}

void
vesc_outbox_remove_channel (VescOutbox   *self,
                            VescNotifier *notifier)
{
  for (guint i = 0; i < self->channels->len; i++)
    if (((Channel *) self->channels->pdata[i])->notifier == notifier)
      {
        g_ptr_array_remove_index (self->channels, i);
        return;
      }
}

/* ---- replay ------------------------------------------------------------- */

static void
replay_warning (VescOutbox *self,
                Item       *item,
                const char *detail)
{
  VescEscalation *escalation = vesc_desk_lookup_escalation (
    self->desk, vesc_notification_get_incident_id (item->notification));

  if (escalation != NULL && detail != NULL)
    vesc_escalation_add_warning (escalation, detail);
}

gboolean
vesc_outbox_replay (VescOutbox  *self,
                    JsonObject  *record,
                    const char  *type,
                    GError     **error)
{
  const char *key = json_object_get_string_member_with_default (record, "key", NULL);
  JsonArray *channels = json_object_get_array_member (record, "channels");
  Item *item = key ? g_hash_table_lookup (self->items, key) : NULL;

  if (key == NULL || channels == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("a “%s” record needs a key and channels"), type);
      return FALSE;
    }
  /* Messages of incidents whose records were compacted are not rendered again. */
  if (item == NULL)
    return TRUE;
  if (g_str_equal (type, "undeliverable"))
    replay_warning (self, item, json_object_get_string_member_with_default (record, "detail",
                                                                            NULL));

  item->unrecorded = FALSE;
  for (guint i = 0; i < json_array_get_length (channels); i++)
    {
      const char *channel = json_array_get_string_element (channels, i);

      if (g_str_equal (type, "queued"))
        owe (item, channel);
      else
        g_hash_table_remove (item->owed, channel);
    }
  return TRUE;
}

void
vesc_outbox_replay_done (VescOutbox *self)
{
  GHashTableIter iter;
  Item *item;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &item))
    if (g_hash_table_size (item->owed) == 0 && !item->unrecorded)
      g_hash_table_iter_remove (&iter);
}
