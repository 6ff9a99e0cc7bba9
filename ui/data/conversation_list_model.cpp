#include "data/conversation_list_model.hpp"

namespace prism::ui {

ConversationListModel::ConversationListModel(ConversationStore* store, QObject* parent)
    : QAbstractListModel(parent) {
    setStore(store);
}

void ConversationListModel::setStore(ConversationStore* store) {
    if (store_ == store) return;
    if (store_) disconnect(store_, nullptr, this, nullptr);
    store_ = store;
    if (store_) {
        connect(store_, &ConversationStore::conversationsChanged, this,
                &ConversationListModel::reload);
        connect(store_, &ConversationStore::readyChanged, this, &ConversationListModel::reload);
    }
    emit storeChanged();
    reload();
}

void ConversationListModel::setFilter(const QString& filter) {
    if (filter_ == filter) return;
    filter_ = filter;
    emit filterChanged();
    reload();
}

void ConversationListModel::reload() {
    const int old_count = count();
    beginResetModel();
    rows_ = (store_ && store_->isReady()) ? store_->listConversations(filter_)
                                          : std::vector<ConversationSummary>{};
    endResetModel();
    if (count() != old_count) emit countChanged();
}

int ConversationListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() < 0 || index.row() >= count()) return {};
    const ConversationSummary& c = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
        case IdRole:
            return c.id;
        case Qt::DisplayRole:
        case TitleRole:
            return c.title;
        case UpdatedRole:
            return c.updated;
        case PreviewRole:
            return c.preview;
        default:
            return {};
    }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const {
    return {
        {IdRole, "id"}, {TitleRole, "title"}, {UpdatedRole, "updated"}, {PreviewRole, "preview"}};
}

int ConversationListModel::rowOf(qint64 id) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].id == id) return static_cast<int>(i);
    return -1;
}

qint64 ConversationListModel::idAt(int row) const {
    return row >= 0 && row < count() ? rows_[static_cast<std::size_t>(row)].id : -1;
}

}  // namespace prism::ui
