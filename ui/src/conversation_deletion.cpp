#include "conversation_deletion.hpp"

#include <utility>

#include "chat_controller.hpp"
#include "data/conversation_store.hpp"

namespace prism::ui {

ConversationDeletion::ConversationDeletion(ConversationStore* history, ChatController* chat,
                                           int undo_ms, QObject* parent)
    : QObject(parent), history_(history), chat_(chat), undo_ms_(undo_ms) {
    timer_.setSingleShot(true);
    connect(&timer_, &QTimer::timeout, this, &ConversationDeletion::commit);
}

ConversationDeletion::~ConversationDeletion() {
    commit();
}

bool ConversationDeletion::remove(qint64 id) {
    if (!history_ || !history_->isReady()) return false;
    const auto summary = history_->conversation(id);
    if (!summary) return false;
    // One delete is undoable at a time: the one before is made final.
    commit();
    const bool shown = chat_ && chat_->conversationId() == id;
    if (shown) chat_->newChat();
    if (!history_->markConversationDeleted(id)) return false;
    pending_ = id;
    title_ = summary->title;
    was_shown_ = shown;
    timer_.start(undo_ms_);
    emit pendingChanged();
    return true;
}

bool ConversationDeletion::undo() {
    if (pending_ < 0 || !history_) return false;
    timer_.stop();
    const qint64 id = std::exchange(pending_, -1);
    const bool restored = history_->restoreConversation(id);
    // Back on screen, unless the user has begun something else meanwhile.
    if (restored && was_shown_ && chat_ && chat_->conversationId() < 0 &&
        chat_->messages()->count() == 0 && !chat_->generating())
        chat_->openConversation(id);
    emit pendingChanged();
    return restored;
}

void ConversationDeletion::commit() {
    if (pending_ < 0) return;
    timer_.stop();
    const qint64 id = std::exchange(pending_, -1);
    if (history_ && history_->isReady()) history_->purgeConversation(id);
    emit pendingChanged();
}

}  // namespace prism::ui
