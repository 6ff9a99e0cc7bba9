#pragma once

// A conversation as the OpenAI messages sent to a model on a server: images as they are, a
// sound as an input_audio part (WAV or MP3 as it is, anything else decoded and sent as 16 kHz
// mono 16-bit WAV), a video as its sampled pictures, each after its time ("[00:12] "), then its
// sound track. Blocking (files are read and decoded): EngineController runs it off the UI
// thread.

#include <QList>
#include <QString>

#include "chat_types.hpp"
#include "remote/remote_chat_client.hpp"

namespace prism::ui {

// A sound goes to a server as at most this many bytes (before base64, which adds a third:
// 27 MiB, under the 32 MiB request bodies prism-server and others take). As 16 kHz mono WAV
// that is 10.9 minutes.
inline constexpr qint64 kMaxRemoteSoundBytes = 20LL * 1024 * 1024;
// Pictures sent for one video: servers cap images per request (prism-server: 8).
inline constexpr int kMaxRemoteVideoPictures = 8;

// What the server's model takes: both until the server said otherwise.
struct RemoteMediaAccepted {
    bool pictures = true;
    bool sound = true;
};

struct RemoteConversation {
    QList<RemoteMessage> messages;
    LeftOutAttachments left_out;  // earlier attachments not sent (the model does not take them)
    QString error;                // one line naming the file, when one could not be read
};

// Attachments the model is known not to take are left out and counted (images and videos
// without pictures, sounds without sound; a video's sound track goes only with sound); new
// ones are the caller's to refuse.
RemoteConversation remote_conversation(const QList<ChatTurn>& turns, const QString& system_prompt,
                                       RemoteMediaAccepted accepted);

// One attachment as the parts sent for it (see above); throws prism::Error / MediaError with a
// line naming the file.
QList<RemotePart> remote_parts(const ImageAttachment& attachment, bool send_sound);

}  // namespace prism::ui
