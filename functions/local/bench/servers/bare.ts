import * as ff from '@google-cloud/functions-framework';

/**
 * The webhook benchmark's baseline: a functions-framework HTTP function that only answers 200
 * (with the webhook's small JSON body), served exactly like the webhook.
 */
ff.http('bare', (_req, res) => {
  res.status(200).json({ status: 'accepted' });
});
